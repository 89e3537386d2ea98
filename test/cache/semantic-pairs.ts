/**
 * The labelled evaluation set of the semantic cache: pairs of queries, and
 * whether the cached answer to the first may answer the second. "hit" pairs
 * are paraphrases; every other kind is a near miss that must never hit.
 */
export type PairKind = "hit" | "number" | "entity" | "negation" | "order" | "unit" | "contrast" | "topic";

export interface Pair {
  cached: string;
  query: string;
  kind: PairKind;
}

const hit = (cached: string, query: string): Pair => ({ cached, query, kind: "hit" });
const miss =
  (kind: Exclude<PairKind, "hit">) =>
  (cached: string, query: string): Pair => ({ cached, query, kind });

export const PAIRS: Pair[] = [
  // Paraphrases: the same question, worded differently.
  hit("What is the capital of France?", "What's the capital city of France?"),
  hit("What is the capital of France?", "Which city is the capital of France?"),
  hit("How do I reverse a list in Python?", "How can I reverse a list in Python?"),
  hit("How do I reverse a list in Python?", "What's the way to reverse a Python list?"),
  hit("How many legs does a spider have?", "How many legs do spiders have?"),
  hit("Who wrote Pride and Prejudice?", "Who is the author of Pride and Prejudice?"),
  hit("What is the boiling point of water?", "At what temperature does water boil?"),
  hit("Explain photosynthesis in simple terms.", "Explain photosynthesis simply."),
  hit("What does HTTP stand for?", "What is HTTP short for?"),
  hit("How do I make a cup of green tea?", "How should I make a cup of green tea?"),
  hit("What is the speed of light?", "How fast does light travel?"),
  hit("Translate 'good morning' into Spanish.", "How do you say 'good morning' in Spanish?"),
  hit("What are the symptoms of the flu?", "What symptoms does the flu cause?"),
  hit("Give me a recipe for pancakes.", "Can you give me a pancake recipe?"),
  hit("What is the tallest mountain in the world?", "Which mountain is the tallest in the world?"),
  hit("How do I center a div in CSS?", "How can I center a div with CSS?"),
  hit("What is a black hole?", "Can you explain what a black hole is?"),
  hit("Summarise the plot of Hamlet.", "Summarize the plot of Hamlet."),
  hit("What is the population of Tokyo?", "How many people live in Tokyo?"),
  hit("How do I install Node.js on Ubuntu?", "How can I install Node.js on Ubuntu?"),
  hit("What is the difference between TCP and UDP?", "What's the difference between TCP and UDP?"),
  hit("Why is the sky blue?", "Why is the sky blue in color?"),
  hit("How do I convert a string to an integer in Java?", "How to convert a string into an integer in Java?"),
  hit("What causes earthquakes?", "What is the cause of earthquakes?"),
  hit("Write a haiku about autumn leaves.", "Write a haiku about the leaves in autumn."),
  hit("How long should I boil an egg?", "How long do I need to boil an egg?"),
  hit("What is machine learning?", "Can you explain what machine learning is?"),
  hit("List the planets of the solar system.", "List the planets in our solar system."),
  hit("What is the chemical symbol for gold?", "What's gold's chemical symbol?"),
  hit("How do vaccines work?", "How does a vaccine work?"),
  hit("What year did World War II end?", "In what year did World War II end?"),
  hit("How do I delete a branch in git?", "How can I delete a git branch?"),
  hit("What is the meaning of the word ephemeral?", "What does the word ephemeral mean?"),
  hit("Recommend a good book about habits.", "Can you recommend a good book on habits?"),
  hit("Who painted the Mona Lisa?", "Who was the painter of the Mona Lisa?"),
  hit("What is the square root of 144?", "What's the square root of 144?"),
  hit("Convert 10 USD to EUR.", "Convert 10 USD into EUR."),
  hit("How many days are in a leap year?", "How many days does a leap year have?"),
  hit("What is the largest ocean on Earth?", "Which ocean is the largest on Earth?"),
  hit("How do I read a file line by line in Go?", "How can I read a file line by line in Go?"),
  hit("What is inflation?", "Explain what inflation is."),
  hit("How do I get rid of hiccups?", "How can I get rid of hiccups?"),
  hit("What is the main ingredient of guacamole?", "What's the main ingredient in guacamole?"),
  hit("What language is spoken in Brazil?", "Which language do people speak in Brazil?"),
  hit("Is a tomato a fruit?", "Is the tomato a fruit?"),
  hit("How does a refrigerator work?", "How do refrigerators work?"),
  hit("What time zone is London in?", "Which time zone is London in?"),
  hit("Give me three tips for better sleep.", "Give me 3 tips for better sleep."),
  hit("What is the freezing point of water in Fahrenheit?", "What's the freezing point of water in Fahrenheit?"),
  hit("Who discovered penicillin?", "Who was the discoverer of penicillin?"),
  hit("How do I sort a dictionary by value in Python?", "How can I sort a dictionary by its values in Python?"),
  hit("What is the GDP of Germany?", "What's Germany's GDP?"),
  hit("What does a product manager do?", "What does a product manager actually do?"),
  hit("How do I change a flat tire?", "How do you change a flat tire?"),
  hit("Define the term opportunity cost.", "Define opportunity cost."),
  hit("What is 15% of 200?", "What is fifteen percent of 200?"),
  hit("why is the sky blue", "Why is the sky blue?"),
  hit("Where is the Eiffel Tower?", "Where is the Eiffel Tower located?"),
  hit("How many continents are there?", "How many continents are there on Earth?"),
  hit("Write a SQL query that counts rows in a table.", "Write an SQL query to count the rows in a table."),

  // Other numbers.
  miss("number")("What is 15% of 200?", "What is 15% of 300?"),
  miss("number")("Convert 10 USD to EUR.", "Convert 100 USD to EUR."),
  miss("number")("Give me three tips for better sleep.", "Give me five tips for better sleep."),
  miss("number")("What year did World War II end?", "What year did World War I end?"),
  miss("number")("What is the square root of 144?", "What is the square root of 169?"),
  miss("number")("How many days are in 2 weeks?", "How many days are in 3 weeks?"),
  miss("number")("Summarise chapter 3 of the report.", "Summarise chapter 4 of the report."),
  miss("number")("What happened in 1969?", "What happened in 1968?"),
  miss("number")("Is 17 a prime number?", "Is 21 a prime number?"),
  miss("number")("Write a function that returns the first 10 primes.", "Write a function that returns the first 100 primes."),
  miss("number")("What is Python 3.11's new syntax?", "What is Python 3.12's new syntax?"),
  miss("number")("Explain HTTP status code 404.", "Explain HTTP status code 403."),

  // Other named entities.
  miss("entity")("What is the capital of France?", "What is the capital of Germany?"),
  miss("entity")("What is the population of Tokyo?", "What is the population of Osaka?"),
  miss("entity")("Who wrote Pride and Prejudice?", "Who wrote Sense and Sensibility?"),
  miss("entity")("What language is spoken in Brazil?", "What language is spoken in Argentina?"),
  miss("entity")("What is the GDP of Germany?", "What is the GDP of Italy?"),
  miss("entity")("How do I read a file line by line in Go?", "How do I read a file line by line in Rust?"),
  miss("entity")("Who painted the Mona Lisa?", "Who painted the Starry Night?"),
  miss("entity")("What time zone is London in?", "What time zone is Sydney in?"),
  miss("entity")("Where is the Eiffel Tower?", "Where is the Statue of Liberty?"),
  miss("entity")("How do I install Node.js on Ubuntu?", "How do I install Node.js on Windows?"),
  miss("entity")("Tell me about Barack Obama's childhood.", "Tell me about Joe Biden's childhood."),
  miss("entity")("What is Apple's stock price?", "What is Microsoft's stock price?"),
  miss("entity")("capital of france", "capital of germany"),
  miss("entity")("What is the weather like in Paris in May?", "What is the weather like in Paris in June?"),
  miss("entity")("How do I reverse a list in Python?", "How do I reverse a list in JavaScript?"),

  // Negations.
  miss("negation")("Why is the sky blue?", "Why isn't the sky blue?"),
  miss("negation")("Which foods contain gluten?", "Which foods do not contain gluten?"),
  miss("negation")("Is a tomato a fruit?", "Is a tomato not a fruit?"),
  miss("negation")("List countries that use the euro.", "List countries that don't use the euro."),
  miss("negation")("Recipes with nuts.", "Recipes without nuts."),
  miss("negation")("Should I take ibuprofen with food?", "Should I never take ibuprofen with food?"),
  miss("negation")("Which animals can fly?", "Which animals cannot fly?"),
  miss("negation")("Explain why vaccines cause immunity.", "Explain why vaccines do not cause immunity."),
  miss("negation")("Write a sentence that uses the word happy.", "Write a sentence that does not use the word happy."),
  miss("negation")("Name mammals that lay eggs.", "Name mammals that never lay eggs."),

  // Swapped order: the same words, another question.
  miss("order")("Convert 10 USD to EUR.", "Convert 10 EUR to USD."),
  miss("order")("How far is Paris from London?", "How far is London from Paris?"),
  miss("order")("Flights from Berlin to Madrid", "Flights from Madrid to Berlin"),
  miss("order")("Is Canada bigger than Russia?", "Is Russia bigger than Canada?"),
  miss("order")("Translate 'hello' from English to French.", "Translate 'hello' from French to English."),
  miss("order")("Convert 5 miles to km.", "Convert 5 km to miles."),
  miss("order")("Did Napoleon live before Caesar?", "Did Caesar live before Napoleon?"),
  miss("order")("What is the exchange rate from GBP to JPY?", "What is the exchange rate from JPY to GBP?"),
  miss("order")("Compare Python with Java.", "Compare Java with Python."),

  // Other units or currencies.
  miss("unit")("Convert 10 USD to EUR.", "Convert 10 USD to GBP."),
  miss("unit")("What is 100 degrees Fahrenheit in Celsius?", "What is 100 degrees Celsius in Fahrenheit?"),
  miss("unit")("How many grams are in a pound?", "How many grams are in an ounce?"),
  miss("unit")("How long is a marathon in miles?", "How long is a marathon in kilometers?"),
  miss("unit")("What is 5 kg in pounds?", "What is 5 kg in ounces?"),
  miss("unit")("How many seconds are in a day?", "How many minutes are in a day?"),
  miss("unit")("What costs 10 dollars?", "What costs 10 euros?"),
  miss("unit")("How many MB are in a GB?", "How many KB are in a GB?"),

  // Opposites.
  miss("contrast")("What is the largest ocean on Earth?", "What is the smallest ocean on Earth?"),
  miss("contrast")("What is the tallest mountain in the world?", "What is the shortest mountain in the world?"),
  miss("contrast")("List the advantages of remote work.", "List the disadvantages of remote work."),
  miss("contrast")("How do I encrypt a file with GPG?", "How do I decrypt a file with GPG?"),
  miss("contrast")("Sort the list in ascending order.", "Sort the list in descending order."),
  miss("contrast")("When is the best time to buy stocks?", "When is the best time to sell stocks?"),
  miss("contrast")("How do I increase my credit score?", "How do I decrease my credit score?"),
  miss("contrast")("What is the oldest city in Europe?", "What is the youngest city in Europe?"),
  miss("contrast")("How do I enable dark mode?", "How do I disable dark mode?"),
  miss("contrast")("How do I upload a file with curl?", "How do I download a file with curl?"),
  miss("contrast")("What is the hottest planet?", "What is the coldest planet?"),
  miss("contrast")("What are the benefits of fasting?", "What are the risks of fasting?"),

  // Same shape, another subject: the embedding should tell these apart by itself.
  miss("topic")("How do I make a cup of green tea?", "How do I make a cup of coffee?"),
  miss("topic")("What are the symptoms of the flu?", "What are the symptoms of diabetes?"),
  miss("topic")("Give me a recipe for pancakes.", "Give me a recipe for lasagna."),
  miss("topic")("How many legs does a spider have?", "How many legs does an ant have?"),
  miss("topic")("What is the chemical symbol for gold?", "What is the chemical symbol for silver?"),
  miss("topic")("Write a haiku about autumn leaves.", "Write a haiku about ocean waves."),
  miss("topic")("What is the boiling point of water?", "What is the boiling point of ethanol?"),
  miss("topic")("How do I center a div in CSS?", "How do I hide a div in CSS?"),
  miss("topic")("How do I delete a branch in git?", "How do I rename a branch in git?"),
  miss("topic")("What is the main ingredient of guacamole?", "What is the main ingredient of hummus?"),
];
