/*
 * Courtesies that make a whole clause of their own (docs/caching.md "Third round"): greetings, thanks,
 * apologies and offers of gratitude, written after contractions are expanded ("I'd" is "i would"). They are
 * dropped only where they stand alone between clause boundaries ("Good morning!", "Thanks in advance.",
 * "I'd be grateful."): "good morning routine" or "thanks to the rain" go on into content and stay. A prompt
 * that is nothing but courtesies keeps them ("Good morning!" is not "Good evening!").
 */
export const COURTESIES: readonly string[][] = [
  "thanks",
  "thx",
  "cheers",
  "thank you",
  "thank you so much",
  "thank you very much",
  "thanks a lot",
  "many thanks",
  "much appreciated",
  "thank you in advance",
  "thanks in advance",
  "thanks for your help",
  "thank you for your help",
  "thanks for the help",
  "i appreciate it",
  "i would appreciate it",
  "i would really appreciate it",
  "i would be grateful",
  "i would be very grateful",
  "i would be really grateful",
  "would be grateful",
  "any help is appreciated",
  "any help would be appreciated",
  "any help appreciated",
  "good morning",
  "good afternoon",
  "good evening",
  "hello there",
  "hi there",
  "hey there",
  "hope you are well",
  "i hope you are well",
  "hope you are doing well",
  "i hope you are doing well",
  "hope your day is going well",
  "i hope your day is going well",
  "sorry for the trouble",
  "sorry for the hassle",
  "sorry to bother you",
  "if you do not mind",
  "if you can",
  "if possible",
  "kind regards",
  "best regards",
  "dear assistant",
]
  .map((c) => c.split(" "))
  .sort((a, b) => b.length - a.length);

/** How many words at i make a courtesy standing alone as a clause, or 0. */
export function courtesyAt(words: readonly { w: string; kind: string }[], i: number): number {
  for (const c of COURTESIES) {
    if (!c.every((f, k) => words[i + k]?.kind === "word" && words[i + k]!.w === f)) continue;
    const after = words[i + c.length];
    if (after === undefined || after.kind === "bound") return c.length;
  }
  return 0;
}
