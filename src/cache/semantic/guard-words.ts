/*
 * The small, closed word classes the guard's normaliser reads with (guard-normalise.ts): contractions,
 * number words, ordinals, units and currencies with their spellings, the words that only frame a request,
 * and the closed classes a difference is named by (negation, quantifiers, modals, relations). These are
 * facts of English grammar and of unit spelling, not words picked from the evaluation pairs; open-class
 * words (nouns, verbs, adjectives) are never listed: any content word on one side only refuses a hit.
 */

const words = (s: string): Set<string> => new Set(s.trim().split(/\s+/));

/** Contractions and their common apostrophe-less spellings, expanded before anything else reads the words. */
export const CONTRACTIONS: Record<string, string> = {
  "can't": "can not",
  cant: "can not",
  cannot: "can not",
  "won't": "will not",
  "shan't": "shall not",
  "ain't": "is not",
  "let's": "let us",
  whats: "what is",
  thats: "that is",
  hows: "how is",
  wheres: "where is",
  whos: "who is",
  dont: "do not",
  doesnt: "does not",
  didnt: "did not",
  isnt: "is not",
  arent: "are not",
  wasnt: "was not",
  werent: "were not",
  couldnt: "could not",
  shouldnt: "should not",
  wouldnt: "would not",
  hasnt: "has not",
  havent: "have not",
  im: "i am",
  ive: "i have",
  youre: "you are",
  theyre: "they are",
};

/** Endings of contractions, for the general case ("doesn't", "they're", "I'd"). */
export const CONTRACTION_ENDINGS: [RegExp, string][] = [
  [/n't$/, " not"],
  [/'re$/, " are"],
  [/'m$/, " am"],
  [/'ll$/, " will"],
  [/'ve$/, " have"],
  [/'d$/, " would"],
];

/** Words before which "'s" is "is", not a possessive. */
export const S_IS = words("it he she that what who where when why how there here this everything something nothing");

export const NUMBER_WORDS: Record<string, number> = Object.fromEntries(
  "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
    .split(" ")
    .map((w, i) => [w, i] as [string, number])
    .concat("twenty thirty forty fifty sixty seventy eighty ninety".split(" ").map((w, i) => [w, (i + 2) * 10])),
);
export const SCALES: Record<string, number> = { hundred: 100, thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12, dozen: 12 };
/** Glued to a numeral: "75k", "40M", "3bn". A lower-case "m" is not a million: "5m" may be metres. */
export const NUMBER_SUFFIX: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, bn: 1e9, B: 1e9 };

const ORDINAL_LIST =
  "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split(
    " ",
  );
export const ORDINALS: Record<string, number> = Object.fromEntries([
  ...ORDINAL_LIST.map((w, i) => [w, i + 1] as [string, number]),
  ...("twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split(" ").map((w, i) => [w, (i + 2) * 10]) as [
    string,
    number,
  ][]),
  ["hundredth", 100],
  ["thousandth", 1000],
]);

/** Unit spellings: the canonical unit, and whether the spelling is one only right after a number ("5 in", "3 m"). */
const UNIT_SPELLINGS: [string, string, boolean?][] = [
  ["km kms kilometer kilometers kilometre kilometres", "km"],
  ["mi", "mile", true],
  ["mile miles", "mile"],
  ["m", "m", true],
  ["meter meters metre metres", "m"],
  ["cm centimeter centimeters centimetre centimetres", "cm"],
  ["mm millimeter millimeters millimetre millimetres", "mm"],
  ["ft foot feet", "ft"],
  ["in", "inch", true],
  ["inch inches", "inch"],
  ["yd yard yards", "yd"],
  ["kg kgs kilogram kilograms kilo kilos", "kg"],
  ["g", "g", true],
  ["gram grams gramme grammes", "g"],
  ["mg milligram milligrams", "mg"],
  ["lb lbs", "lb"],
  ["oz ounce ounces", "oz"],
  ["l", "l", true],
  ["liter liters litre litres", "l"],
  ["ml milliliter milliliters millilitre millilitres", "ml"],
  ["gal gallon gallons", "gal"],
  ["degc celsius centigrade", "degc"],
  ["degf fahrenheit", "degf"],
  ["kelvin", "kelvin"],
  ["s sec secs", "s", true],
  ["seconds", "s"],
  ["min mins", "min", true],
  ["minute minutes", "min"],
  ["h hr hrs", "h", true],
  ["hour hours", "h"],
  ["ms millisecond milliseconds", "ms"],
  ["kb kilobyte kilobytes", "kB"],
  ["mb megabyte megabytes", "MB"],
  ["gb gigabyte gigabytes", "gB"],
  ["tb terabyte terabytes", "tB"],
  ["mph", "mph"],
  ["kmh kph", "kmh"],
  ["w watt watts", "w"],
  ["kw kilowatt kilowatts", "kw"],
  ["kwh", "kwh"],
  ["percent pct", "%"],
];
export const UNITS = new Map<string, { unit: string; afterNumber: boolean }>();
for (const [spellings, unit, afterNumber] of UNIT_SPELLINGS)
  for (const s of spellings.split(" ")) UNITS.set(s, { unit: `u:${unit}`, afterNumber: afterNumber ?? false });

export const CURRENCIES: Record<string, string> = {
  $: "usd",
  usd: "usd",
  dollar: "usd",
  dollars: "usd",
  bucks: "usd",
  "€": "eur",
  eur: "eur",
  euro: "eur",
  euros: "eur",
  "£": "gbp",
  gbp: "gbp",
  sterling: "gbp",
  "¥": "jpy",
  jpy: "jpy",
  yen: "jpy",
  inr: "inr",
  rupee: "inr",
  rupees: "inr",
  chf: "chf",
  cad: "cad",
  aud: "aud",
};

/** Dropped anywhere: articles, the asker and the assistant as pronouns, politeness, present-tense "be". */
export const IGNORED = words("a an the please pls plz kindly actually basically exactly is are am");

/**
 * The asker and the assistant. Dropped where impersonal ("how do you know" and "how do I know" ask the same);
 * kept in place where a topic ("who are you") or where both are named ("should you tip me"): guard-persons.ts.
 */
export const FIRST_PERSON = words("i me my mine myself we us our ours ourselves");
export const SECOND_PERSON = words("you your yours yourself yourselves");
/** Where "X and Y" may become "Y and X": a comparison. "left join users and orders" is no such place. */
export const SYMMETRIC = words("between compare difference differ vs versus similarity similar contrast");

/** Dropped at the start of a request, before any content word: greetings and openers. */
export const OPENERS = words("hi hey hello so but and also um hmm");
/** The same, but only before a comma or a full stop: "well, ..." opens; "well water" does not. */
export const OPENERS_BEFORE_PAUSE = words("ok okay well yo sorry");

/**
 * Multi-word frames that wrap a request without changing it, dropped where a clause starts. Each is a
 * sequence of words after contractions are expanded; "*" matches any one word of the set after it.
 */
export const FRAMES: string[][] = [
  "sorry to bother you",
  "quick question",
  "sorry if this is a dumb question",
  "sorry if this is a stupid question",
  "sorry if this is a silly question",
  "i hope you are well",
  "hope you are well",
  "hope you are doing well",
  "if it is not too much trouble",
  "would you be so kind as to",
  "i would really appreciate it if you could",
  "i would appreciate it if you could",
  "i would be grateful if you could",
  "i would be grateful for",
  "any chance you could",
  "is there any chance you could",
  "thank you so much",
  "thanks so much",
  "thanks in advance",
  "i was wondering",
  "i wonder",
  "i want to know",
  "i would like to know",
  "i need to know",
  "do you know",
  "would you mind",
  "tell me",
  "show me",
  "give me",
  "let me know",
  "help me",
  "how do i",
  "how do you",
  "how do we",
  "how does one",
  "how i",
  "how can one",
  "how can i",
  "how can you",
  "how can we",
  "how could i",
  "how would i",
  "how would you",
  "how to",
  "what is",
  "what are",
  "which is",
  "which are",
].map((f) => f.split(" "));

/**
 * "can/could/would/will you (please)" frames a request only before one of these verbs: "can you eat raw
 * eggs" and "would you eat this" ask something else.
 */
export const REQUEST_VERBS = words(`tell show give write explain help list make create generate recommend suggest translate summarize
  summarise describe provide check fix find draft compose convert calculate rewrite name reply answer edit proofread review
  rephrase simplify solve compare`);

/**
 * Verbs that only ask for the thing named after them, all alike: "list the planets", "name the planets" and
 * "what are the planets" ask the same. Dropped only before a determiner or a number ("list comprehensions"
 * is a thing). Verbs that make something ("write", "create", "recommend") stay: "write a book" is not
 * "recommend a book".
 */
export const LIST_VERBS = words("list name");

/** Requests to produce something: what they name is counted ("a tagline" is one, "taglines" several). */
export const PRODUCERS = new Set([
  ...LIST_VERBS,
  ...words("give show tell find write create generate make provide suggest recommend draft compose"),
]);
export const DETERMINERS = words("the all some every each any these those this that few several");

/** Closed classes a difference is named by in the guard's reasons. */
export const NEGATIONS = words("not no never none nobody nothing neither nor nowhere without except excluding");
export const QUANTIFIERS = words("all any some most every each both either few many several much half only entire whole");
export const MODALS = words("can could may might must should shall would ought need have");
export const RELATIONS = words(`from to into onto out of by for against with than between before after above below over under
  within inside outside through via toward towards per vs versus on in at about`);
export const COMPARISON = words("more less most least fewer better worse best worst");
/** Joins whose two sides may change places: "Python and Java", "tea or coffee". */
export const COORDINATORS = words("and or vs versus");
/**
 * Start a phrase that may move whole: "in Python, how ..." and "how ... in Python". Not "of" or "than": their
 * phrase belongs to the word before it ("my neighbour's tree fell on my fence" is not "my tree fell on my
 * neighbour's fence").
 */
export const PHRASE_HEADS = new Set([
  ...[...RELATIONS].filter((w) => w !== "of" && w !== "than"),
  ...words("when while if because since use during"),
]);

/** British spellings with no rule to find them; the rules (-ise, -our, -tre, -ogue) are in guard-normalise.ts. */
export const SPELLINGS: Record<string, string> = {
  defence: "defense",
  offence: "offense",
  licence: "license",
  pretence: "pretense",
  grey: "gray",
  tyre: "tire",
  tyres: "tire",
  cheque: "check",
  programme: "program",
  aluminium: "aluminum",
  yoghurt: "yogurt",
  plough: "plow",
  mould: "mold",
  pyjamas: "pajamas",
  kerb: "curb",
  draught: "draft",
  storey: "story",
  sceptical: "skeptical",
  mum: "mom",
  jewellery: "jewelry",
  cosy: "cozy",
  ageing: "aging",
  artefact: "artifact",
  sulphur: "sulfur",
  manoeuvre: "maneuver",
  whilst: "while",
  amongst: "among",
};
