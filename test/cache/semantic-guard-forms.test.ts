import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * The guard's fourth round, forms (docs/caching.md): one value written in another notation passes; the same
 * shape with another value, unit, prefix, currency, time of day, operator or modal is refused. Sentences
 * written for these rules, not taken from the labelled sets.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("one value in another notation passes", () => {
  it.each([
    ["an SI prefix spelt out", "is a 1.8 GHz tablet slow", "is a 1.8 gigahertz tablet slow"],
    ["watt-hours", "how far does a 75 kWh car go", "how far does a 75 kilowatt hour car go"],
    ["amp-hours", "does a 5000 mAh battery last a day", "does a 5000 milliamp-hours battery last a day"],
    ["bits per second", "is 300 Mbps fast", "is 300 megabits per second fast"],
    ["bytes per second, as a symbol", "copying at 90 MB/s is slow?", "copying at 90 megabytes per second is slow?"],
    ["a speed with no number", "the speed of sound in m/s", "the speed of sound in meters per second"],
    ["fuel use", "what is 8 L/100km in mpg", "what is 8 liters per 100 kilometers in miles per gallon"],
    ["areas", "how many sq ft is 20 m²", "how many square feet is 20 square metres"],
    ["kitchen measures", "how many grams in a tbsp of honey", "how many grams in a tablespoon of honey"],
    ["feet and inches", "is 5'11\" above average", "is five foot eleven above average"],
    ["inches after feet before 'in'", "what is 6 ft 1 in in metres", "what is six feet one inch in metres"],
    ["a unit symbol after 'in'", "what is 5 km in mi", "what is 5 kilometres in miles"],
    ["an amount of a substance", "200 g of rice in cups", "200 g rice in cups"],
    ["pounds among imperial units", "is 180 lb heavy for 6 ft 2 in", "is 180 pounds heavy for 6 feet 2 inches"],
    ["kcal on food", "how many kcal in an avocado", "how many calories in an avocado"],
    ["dimensions", "is a 4 by 6 ft shed big enough", "is a 4 x 6 ft shed big enough"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["dollars", "can I live on $3.2k a month in Denver", "can I live on 3,200 dollars a month in Denver"],
    ["a code before its number, and a million", "is USD 4M enough to retire", "is 4 million US dollars enough to retire"],
    ["dollar names", "convert 50 NZD to Canadian dollars", "convert NZ$50 to CAD"],
    ["rupees", "is ₹80,000 a good salary", "is 80k rupees a good salary"],
    ["European grouping beside a currency", "is 2.400 € a month a good wage", "is €2,400 a month a good wage"],
    ["money's trailing zeros", "split $90.00 three ways", "split 90 dollars three ways"],
    ["a zero decimal", "is a 3.0 average good", "is a 3 average good"],
    ["fractions", "what is 3/8 as a decimal", "what is three eighths as a decimal"],
    ["a mixed number", "use 2 1/2 cups of stock", "use 2.5 cups of stock"],
    ["and a half", "is a four and a half star hotel good", "is a 4.5 star hotel good"],
    ["powers", "what is 7^3", "what is seven to the power of three"],
    ["squared", "what is 15 squared", "what is 15^2"],
    ["half past, in the morning", "alarm for half past six in the morning", "alarm for 6:30 am"],
    ["quarter to, at night", "the bus leaves at quarter to twelve at night", "the bus leaves at 23:45"],
    ["in the afternoon", "is 4 in the afternoon a good time to nap", "is 16:00 a good time to nap"],
    ["military time", "what is 1930 UTC in Paris", "what is 7:30 pm UTC in Paris"],
    ["midday", "lunch at midday or later", "lunch at 12:00 or later"],
    ["spacing around operators", "evaluate (6 + 2) * 3 - 1", "evaluate (6+2)*3-1"],
    ["JSON laid out", 'is this valid {"a": [1, 2], "b": null}', 'is this valid\n{\n  "a": [1, 2],\n  "b": null\n}'],
    ["HTML indented", "fix this <ol><li>x</li></ol>", "fix this\n<ol>\n  <li>x</li>\n</ol>"],
    ["a command in backticks", "is `npm ci --omit=dev` safe in CI", "is npm ci --omit=dev safe in CI"],
    ["why'd", "why'd the dinosaurs die out", "why did the dinosaurs die out"],
    ["it's been", "it's been snowing all day, is it safe to drive", "it has been snowing all day, is it safe to drive"],
    ["a fused negation past its subject", "why won't my old phone charge", "why will my old phone not charge"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});

describe("the same shape with another value is refused", () => {
  it.each([
    ["another prefix", "is a 1.8 GHz tablet slow", "is a 1.8 megahertz tablet slow"],
    ["milli and mega", "a 2 milliwatt laser", "a 2 megawatt laser"],
    ["bits and bytes", "is 300 Mbps fast", "is 300 megabytes per second fast"],
    ["energy and power", "a 75 kWh battery", "a 75 kW battery"],
    ["speed and acceleration", "an acceleration of 3 m/s²", "an acceleration of 3 m/s"],
    ["area and length", "paint for 20 square metres", "paint for 20 metres"],
    ["teaspoon and tablespoon", "grams in a tsp of honey", "grams in a tbsp of honey"],
    ["another height", "is 5'11\" above average", "is 5'10\" above average"],
    ["'by' after 'divide' is no size", "divide 12 by 4 m", "divide 12 x 4 m"],
    ["kcal and calories with a number", "how hot does 5 kcal make 1 kg of water", "how hot does 5 calories make 1 kg of water"],
    ["'pound' with no imperial unit", "a 3 pound fine", "a 3 lb fine"],
    ["'$' beside another dollar", "convert $20 to CAD", "convert 20 USD to CAD"],
    ["another dollar", "convert US$20 to euros", "convert A$20 to euros"],
    ["a point used as a decimal elsewhere", "rent is 1.500 € plus 1.5 % fees", "rent is 1,500 € plus 1.5 % fees"],
    ["a version", "what is new in Angular 2.0", "what is new in Angular 2"],
    ["a section", "read section 4.10 of the manual", "read section 4.1 of the manual"],
    ["a fraction not in lowest terms, maybe a date", "what happened on 2/6", "what happened on 1/3"],
    ["another fraction", "what is 3/8 as a decimal", "what is 5/8 as a decimal"],
    ["base and exponent", "what is 7^3", "what is 3^7"],
    ["morning and evening", "alarm for half past six in the morning", "alarm for half past six in the evening"],
    ["past and to", "leave at quarter past ten", "leave at quarter to ten"],
    ["a range, not a time", "count from ten to nine", "count from 8:50"],
    ["another zone", "what is 1930 UTC in Paris", "what is 1930 CET in Paris"],
    ["another operator", "evaluate (6 + 2) * 3 - 1", "evaluate (6 + 2) * 3 + 1"],
    ["spacing in a shell", "why does y = 2 fail in bash", "why does y=2 fail in bash"],
    ["a flag after a number", "iptables --dport 80 -j DROP", "iptables --dport 80-j DROP"],
    ["a JSON value", 'is this valid {"a": [1, 2], "b": null}', 'is this valid\n{\n  "a": [1, 3],\n  "b": null\n}'],
    ["an HTML tag", "fix this <ol><li>x</li></ol>", "fix this\n<ul>\n  <li>x</li>\n</ul>"],
    ["a command's case", "is `ls -R` slow", "is ls -r slow"],
    ["a command's spacing", "is `rm -rf ./out` safe", "is rm -rf . /out safe"],
    ["Python indentation inside the block", "what prints?\nif x:\n    f()\ng()", "what prints?\nif x:\n    f()\n    g()"],
    ["a written negation keeps its scope", "is not eating meat healthier", "is eating meat not healthier"],
    ["have to is not have", "it has been snowing all day", "it has to be snowing all day"],
    ["did is not would", "why did the dinosaurs die out", "why would the dinosaurs die out"],
    ["'why'd' before a pronoun may be 'why would'", "why'd you want a boat", "why did you want a boat"],
    ["a negation past 'everyone'", "why doesn't everyone like opera", "why does everyone not like opera"],
    ["a lower-case name before a decimal", "what is new in rails 7.0", "what is new in rails 7"],
    ["hours as a duration", "I have flown 2100 hours", "I have flown 21:00"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it("reads hostile brackets and operators at the size bound", () => {
    for (const text of ["[".repeat(1990), '{"a":'.repeat(300), "1 + ".repeat(490), "5'".repeat(900), "ᵤ_GHz ".repeat(300)])
      expect(guardFeatures(text).tokens.length).toBeGreaterThan(0);
  });
});
