import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";
import { MAX_ANALYSED } from "../../src/cache/semantic/guard-normalise.js";

/*
 * The structural guard, one behaviour per row. These sentences were written for these tests, not taken
 * from the labelled sets in test/cache/semantic-data: the evaluation measures the guard, these pin down
 * what each rule does.
 */

const verdict = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));
const tokens = (s: string) => guardFeatures(s).tokens;

describe("normalising a prompt", () => {
  it.each([
    ["case and punctuation", "What is YAML?", "what is yaml"],
    ["contractions", "It isn't ready, we're late", "it is not ready, we are late"],
    ["apostrophe-less contractions", "whats a monad", "what's a monad"],
    ["possessives", "What is Berlin's population?", "What is the population of Berlin?"],
    ["a possessor of two names", "What was Ada Lovelace's job?", "What was the job of Ada Lovelace?"],
    ["British spelling", "how to organise a wardrobe by colour", "how to organize a wardrobe by color"],
    ["number words", "What is two hundred and fifty divided by five?", "What is 250 divided by 5?"],
    ["digit grouping", "Is 1,000,000 a lot?", "Is 1000000 a lot?"],
    ["scales", "budget for 2.5 million users", "budget for 2500000 users"],
    ["thousands as k", "rent on a 60k income", "rent on a 60000 income"],
    ["ordinals", "the 21st amendment", "the twenty-first amendment"],
    ["units spelled out", "Run 5 km a day", "Run 5 kilometres a day"],
    ["temperatures", "Roast at 180°C", "Roast at 180 degrees Celsius"],
    ["percent", "What is 12% of 40?", "What is twelve percent of 40?"],
    ["currency symbols", "Is $40k enough", "Is 40000 dollars enough"],
    ["times of day", "a meeting at 3pm", "a meeting at 3 p.m."],
    ["hyphens", "how to re-install vim", "how to re install vim"],
  ])("%s", (_kind, a, b) => {
    expect(tokens(a)).toEqual(tokens(b));
  });

  it("keeps tense as a marker: was and is differ, so do will and did", () => {
    expect(tokens("Who was the mayor of Leeds?")).toContain("PAST");
    expect(tokens("Who is the mayor of Leeds?")).not.toContain("PAST");
    expect(tokens("What will the committee decide?")).toContain("FUT");
  });

  it("reads 'first' as an ordinal and 'second' after a number as a unit", () => {
    expect(tokens("the first step")).toEqual(["#1", "step"]);
    expect(tokens("wait 30 seconds")).toEqual(["wait", "30", "u:s"]);
    expect(tokens("the second step")).toEqual(["#2", "step"]);
  });

  it("finds a unit only where one is: 'in' after a number at the end of a phrase, not in 'in Rust'", () => {
    expect(tokens("a shelf 30 in wide")).not.toContain("u:inch");
    expect(tokens("a shelf 5 ft 6 in")).toContain("u:inch");
    expect(tokens("parse json in rust")).toEqual(["parse", "json", "in", "rust"]);
  });
});

describe("the guard's verdicts", () => {
  it.each([
    ["request frames", "Could you please tell me how to descale a kettle?", "how do I descale a kettle"],
    ["question and imperative", "How do I rotate a PDF?", "Show me how to rotate a PDF."],
    ["a phrase moved whole", "In Haskell, how do I read a file?", "How do I read a file in Haskell?"],
    ["the two sides of 'and' exchanged", "difference between lager and ale", "difference between ale and lager"],
    ["a slip of the keyboard", "how to clean a dishwahser", "how to clean a dishwasher"],
    ["a negation moved to its verb", "Why doesn't my build finish?", "why does my build not finish"],
    ["an acronym written out", "What does an ENT doctor treat?", "What does an ear nose throat doctor treat?"],
    ["a camel-case name's initials", "TS generics explained", "TypeScript generics explained"],
    ["a compound written apart", "how to set up a data base", "how to set up a database"],
    ["greetings and thanks", "hello! what causes static electricity? thanks", "what causes static electricity"],
    ["the asker as I or you", "how can you tell if an avocado is ripe", "How do I tell if an avocado is ripe?"],
    ["a possessive over a phrase with 'of'", "Maxwell's equations of electromagnetism", "the equations of electromagnetism of Maxwell"],
    ["the two sides of 'and' in a comparison", "compare Rust and Zig", "compare Zig and Rust"],
  ])("lets through %s", (_kind, a, b) => {
    expect(verdict(a, b)).toBeUndefined();
  });

  it.each([
    ["direction", "copy a file from the VM to the host", "copy a file from the host to the VM", /^order/],
    ["roles", "Who hired Dana?", "Who did Dana hire?", /^order/],
    ["a comparison reversed", "Is tea healthier than coffee?", "Is coffee healthier than tea?", /^order/],
    ["agent added", "poems written by children", "poems written for children", /relation/],
    ["a qualifier added", "cheap flights to Oslo", "cheap flights to Oslo in winter", /qualifier added|relation/],
    ["a qualifier removed", "pasta recipes without dairy", "pasta recipes", /negation|qualifier removed/],
    ["a content word substituted", "how to read a parquet file", "how to write a parquet file", /substituted/],
    ["a number", "Is 51 prime?", "Is 57 prime?", /number/],
    ["am and pm", "alarm at 6 am", "alarm at 6 pm", /time/],
    ["a unit", "How far is 10 km?", "How far is 10 miles?", /unit/],
    ["a currency", "Convert 50 USD to yen", "Convert 50 EUR to yen", /unit/],
    ["first and last", "the first line of a file", "the last line of a file", /ordinal/],
    ["tense", "Who founded the company?", "Who runs the company?", /tense|substituted/],
    ["negation", "Should I stretch before running?", "Should I not stretch before running?", /negation/],
    ["a quantifier", "Do all birds migrate?", "Do some birds migrate?", /quantifier/],
    ["a modal", "Can I freeze cooked rice?", "Should I freeze cooked rice?", /modality/],
    ["stance", "arguments for rent control", "arguments against rent control", /relation/],
    ["one against several", "suggest a title for my talk", "suggest titles for my talk", /count/],
    ["one against several, asked as a noun phrase", "an idiom about patience", "idioms about patience", /count/],
    ["the asker and the assistant swapped", "Should you thank me?", "Should I thank you?", /order/],
    ["the two sides of 'and' where order matters", "sql left join users and orders", "sql left join orders and users", /order/],
    ["one code token", "what does `a == b` print", "what does `a === b` print", /code/],
    ["a version", "What changed in Node 20?", "What changed in Node 22?", /number/],
    ["a space in a command", "what does rm -rf /srv/cache do", "what does rm -rf / srv/cache do", /./],
    ["two verbs that make different things", "write a song about rain", "recommend a song about rain", /substituted/],
    ["a word that is not an opener", "well water testing", "water testing", /qualifier/],
    ["http and https", "redirect http to https", "redirect https to http", /order|substituted/],
    ["a double letter made single", "difference between a desert and an oasis", "difference between a dessert and an oasis", /substituted/],
    ["a letter added at the end", "the meaning of ephemera", "the meaning of ephemeral", /substituted/],
    ["two short unknown words a swap apart", "casual inference for beginners", "causal inference for beginners", /substituted/],
    ["indentation of pasted code", "why does this fail\n  return x\nprint(x)", "why does this fail\nreturn x\n  print(x)", /./],
  ])("refuses %s", (_kind, a, b, reason) => {
    expect(verdict(a, b)).toMatch(reason);
    // Refused either way round: which prompt was cached does not matter.
    expect(verdict(b, a)).toMatch(reason);
  });

  it("compares prompts too long to analyse only as written, after spacing and case", () => {
    const long = "word ".repeat(MAX_ANALYSED / 5 + 1);
    expect(guardFeatures(long).exact).toBeDefined();
    expect(verdict(long, `${long.toUpperCase()}  `)).toBeUndefined();
    expect(verdict(long, `${long}more`)).toMatch(/too long/);
    // Short as written, long once normalised: one ligature unfolds into 18 characters under NFKC.
    expect(guardFeatures("\uFDFA".repeat(200)).exact).toBeDefined();
  });

  it("is a pure function of the two texts", () => {
    const a = guardFeatures("Who was Ada Lovelace's father?");
    const b = guardFeatures("Who was the father of Ada Lovelace?");
    const before = JSON.stringify([a, b]);
    expect(guardMismatch(a, b)).toBeUndefined();
    expect(guardMismatch(a, b)).toBeUndefined();
    expect(JSON.stringify([a, b])).toBe(before);
  });
});
