/*
 * The semantic guard's word lists: currencies and units with their canonical names, negations,
 * contrasting words, function words, and the tags that name one thing. guard.ts reads queries with them.
 */

export const CURRENCY: Record<string, string> = {
  $: "usd",
  usd: "usd",
  dollar: "usd",
  dollars: "usd",
  us$: "usd",
  "€": "eur",
  eur: "eur",
  euro: "eur",
  euros: "eur",
  "£": "gbp",
  gbp: "gbp",
  pound: "gbp",
  pounds: "gbp",
  sterling: "gbp",
  "¥": "jpy",
  jpy: "jpy",
  yen: "jpy",
  chf: "chf",
  franc: "chf",
  francs: "chf",
  cny: "cny",
  yuan: "cny",
  renminbi: "cny",
  inr: "inr",
  rupee: "inr",
  rupees: "inr",
  btc: "btc",
  bitcoin: "btc",
  eth: "eth",
  ether: "eth",
};

export const UNIT: Record<string, string> = {
  km: "km",
  kilometer: "km",
  kilometers: "km",
  kilometre: "km",
  kilometres: "km",
  mi: "mile",
  mile: "mile",
  miles: "mile",
  m: "m",
  meter: "m",
  meters: "m",
  metre: "m",
  metres: "m",
  cm: "cm",
  mm: "mm",
  ft: "ft",
  foot: "ft",
  feet: "ft",
  inch: "in",
  inches: "in",
  yard: "yd",
  yards: "yd",
  kg: "kg",
  kilogram: "kg",
  kilograms: "kg",
  g: "g",
  gram: "g",
  grams: "g",
  lb: "lb",
  lbs: "lb",
  pound_weight: "lb",
  ounce: "oz",
  ounces: "oz",
  oz: "oz",
  l: "l",
  liter: "l",
  liters: "l",
  litre: "l",
  litres: "l",
  ml: "ml",
  gallon: "gal",
  gallons: "gal",
  c: "c",
  celsius: "c",
  "°c": "c",
  f: "f",
  fahrenheit: "f",
  "°f": "f",
  kelvin: "k",
  s: "s",
  sec: "s",
  second: "s",
  seconds: "s",
  min: "min",
  minute: "min",
  minutes: "min",
  h: "h",
  hr: "h",
  hour: "h",
  hours: "h",
  day: "day",
  days: "day",
  week: "week",
  weeks: "week",
  month: "month",
  months: "month",
  year: "year",
  years: "year",
  kb: "kb",
  mb: "mb",
  gb: "gb",
  tb: "tb",
  kib: "kib",
  mib: "mib",
  gib: "gib",
  byte: "byte",
  bytes: "byte",
  bit: "bit",
  bits: "bit",
  percent: "%",
  "%": "%",
  mph: "mph",
  kmh: "kmh",
  "km/h": "kmh",
  w: "w",
  kw: "kw",
  watt: "w",
  watts: "w",
  kwh: "kwh",
};

export const NEGATIONS = new Set([
  "not",
  "no",
  "never",
  "none",
  "nobody",
  "nothing",
  "neither",
  "nor",
  "nowhere",
  "without",
  "except",
  "cannot",
  "can't",
  "won't",
  "don't",
  "doesn't",
  "didn't",
  "isn't",
  "aren't",
  "wasn't",
  "weren't",
  "shouldn't",
  "wouldn't",
  "couldn't",
  "hasn't",
  "haven't",
  "hadn't",
  "mustn't",
  "avoid",
  "excluding",
]);

// Pairs of opposites an embedding places close together; each word stands for itself.
export const CONTRASTS = new Set(
  (
    "most least more less fewer max maximum min minimum largest smallest biggest highest lowest larger smaller bigger higher lower " +
    "best worst better worse first last before after above below over under increase decrease raise lower buy sell borrow lend " +
    "hot cold warm cool old young oldest youngest cheapest cheaper expensive fastest slowest faster slower longest shortest longer shorter " +
    "earliest latest earlier later up down add remove insert delete encrypt decrypt encode decode import export upload download " +
    "start stop begin end open close enable disable true false north south east west left right ascending descending asc desc " +
    "inside outside plus minus multiply divide sum difference import export input output push pull send receive win lose " +
    "male female men women boy girl husband wife father mother son daughter brother sister king queen " +
    "morning evening night day summer winter spring autumn fall rise gain loss profit pros cons advantages disadvantages benefits risks " +
    "uppercase lowercase upper horizontal vertical positive negative odd even legal illegal safe dangerous healthy unhealthy " +
    "hottest coldest warmest coolest wettest driest heaviest lightest richest poorest strongest weakest"
  ).split(" "),
);

// Words that carry the form of a request, not its subject.
export const FUNCTION_WORDS = new Set(
  (
    "be is are was were been being do does did have has had get got can could should would will shall may might must need want " +
    "explain tell give list define describe show say write please know mean let help make use " +
    "way thing something anything kind type sort lot example question answer many much few actually really simply"
  ).split(" "),
);

// Tags that name one thing; compromise's broader Place and Date also cover phrases like "city of".
export const ENTITY_TAGS = ["ProperNoun", "Person", "Organization", "Country", "City", "Region", "Month", "WeekDay", "Acronym"];
export const NOT_NAMES = new Set(["of", "the", "a", "an", "and", "in", "on", "de", "la", "le", "van", "von"]);
