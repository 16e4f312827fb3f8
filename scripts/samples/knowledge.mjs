// Hand-written content for the sample datasets: short explanations, examples and analogies on everyday science,
// computing and language topics, plus small facts tables. Written for this project (no external source).
export const CONCEPTS = [
  { name: 'photosynthesis', definition: 'Photosynthesis is the process plants, algae and some bacteria use to turn light, water and carbon dioxide into sugar and oxygen.', example: 'A leaf in sunlight takes in CO2 through its pores and releases oxygen while storing energy as glucose.', analogy: 'It is like a solar-powered kitchen that bakes sugar out of air and water.' },
  { name: 'inflation', definition: 'Inflation is the general rise in prices over time, which means each unit of money buys a little less than before.', example: 'If a loaf of bread costs $2.00 this year and $2.10 next year, bread prices rose 5%.', analogy: 'It is like a slowly shrinking measuring cup: you pay the same, but get less.' },
  { name: 'recursion', definition: 'Recursion is when a function solves a problem by calling itself on smaller versions of the same problem until it reaches a simple base case.', example: 'The factorial of 5 is 5 times the factorial of 4, and so on down to the factorial of 1, which is 1.', analogy: 'It is like opening a set of nesting dolls until you reach the smallest one.' },
  { name: 'a black hole', definition: 'A black hole is a region of space where gravity is so strong that nothing, not even light, can escape once it crosses the event horizon.', example: 'Sagittarius A* is a supermassive black hole at the centre of the Milky Way.', analogy: 'It is like a waterfall so steep that no boat can paddle back up once past the edge.' },
  { name: 'compound interest', definition: 'Compound interest is interest earned on both the original amount and on the interest already added to it.', example: '$1,000 at 5% a year becomes $1,050 after one year and $1,102.50 after two.', analogy: 'It is like a snowball that picks up more snow the bigger it gets.' },
  { name: 'the water cycle', definition: 'The water cycle is the continuous movement of water through evaporation, condensation, precipitation and collection.', example: 'Sun warms a lake, the vapour forms clouds, and the clouds later drop rain on the hills that drains back to the lake.', analogy: 'It is like a giant still that keeps distilling the same water again and again.' },
  { name: 'a hash table', definition: 'A hash table stores key–value pairs and uses a hash function to jump almost directly to the slot where a key lives.', example: 'A phone book app can find "Ada" in about the same time whether it holds ten contacts or ten million.', analogy: 'It is like a coat check: your ticket number tells the attendant exactly which hook to go to.' },
  { name: 'natural selection', definition: 'Natural selection is the process by which organisms with traits better suited to their environment tend to survive and reproduce more.', example: 'Moths whose colour matched soot-darkened trees were eaten less often and became more common.', analogy: 'It is like a sieve that, generation after generation, keeps the shapes that fit through.' },
  { name: 'a vaccine', definition: 'A vaccine trains the immune system to recognise a germ by showing it a harmless piece or version of that germ.', example: 'The measles vaccine uses a weakened virus so the body builds antibodies without getting ill.', analogy: 'It is like a fire drill: the body practises before the real emergency.' },
  { name: 'supply and demand', definition: 'Supply and demand describes how the price of a good settles where the amount sellers offer matches the amount buyers want.', example: 'When a frost ruins half the orange harvest, oranges become scarce and their price goes up.', analogy: 'It is like a seesaw that balances buyers on one side and sellers on the other.' },
  { name: 'an API', definition: 'An API (application programming interface) is a defined set of requests one program can make to another, with agreed inputs and outputs.', example: 'A weather app calls a forecast API with a city name and gets back temperatures as JSON.', analogy: 'It is like a restaurant menu: you order from the list without going into the kitchen.' },
  { name: 'plate tectonics', definition: 'Plate tectonics is the theory that Earth\'s outer shell is split into large plates that slowly move over the mantle.', example: 'The Himalayas rose where the Indian plate pushed into the Eurasian plate.', analogy: 'It is like pieces of a cracked eggshell sliding on a warm, soft layer beneath.' },
  { name: 'a neural network', definition: 'A neural network is a model made of layers of simple units whose connection weights are adjusted from examples so it can map inputs to outputs.', example: 'A network shown thousands of labelled photos learns to tell cats from dogs.', analogy: 'It is like a huge mixing desk whose knobs are tuned until the output sounds right.' },
  { name: 'overfitting', definition: 'Overfitting is when a model learns the training examples so closely, noise included, that it does worse on new data.', example: 'A model that memorises every practice exam answer but fails the real exam has overfit.', analogy: 'It is like a suit tailored so tightly to one pose that you cannot move in it.' },
  { name: 'the greenhouse effect', definition: 'The greenhouse effect is the warming of a planet\'s surface because gases in its atmosphere absorb and re-emit heat radiated from the ground.', example: 'Without it, Earth\'s average temperature would be about -18 °C instead of about 15 °C.', analogy: 'It is like a blanket that slows down how fast your body heat escapes.' },
  { name: 'version control', definition: 'Version control records changes to files over time so you can see who changed what, go back to earlier versions and merge work.', example: 'With Git, two people can edit the same project on branches and merge their changes later.', analogy: 'It is like a save-game history for a whole project.' },
  { name: 'an ecosystem', definition: 'An ecosystem is a community of living things together with the physical environment they interact with.', example: 'A pond holds algae, insects, frogs and fish, all depending on the water, light and mud.', analogy: 'It is like a small town where every job depends on some other job.' },
  { name: 'encryption', definition: 'Encryption scrambles data with a key so that only someone with the right key can read it.', example: 'HTTPS encrypts the page you load so others on the café Wi-Fi cannot read it.', analogy: 'It is like a locked box that only the person with the matching key can open.' },
  { name: 'a metaphor', definition: 'A metaphor describes one thing as if it were another, to suggest a likeness without using "like" or "as".', example: '"Time is a thief" suggests that time takes things from us.', analogy: 'It is a comparison that drops the scaffolding of "like".' },
  { name: 'the Doppler effect', definition: 'The Doppler effect is the change in frequency of a wave when its source and observer move relative to each other.', example: 'An ambulance siren sounds higher as it approaches and lower as it drives away.', analogy: 'It is like waves bunching up in front of a moving boat and spreading out behind it.' },
  { name: 'opportunity cost', definition: 'Opportunity cost is the value of the best alternative you give up when you make a choice.', example: 'Spending Saturday at work costs you the hike you could have taken instead.', analogy: 'It is the price tag on the road not taken.' },
  { name: 'a binary search', definition: 'Binary search finds an item in a sorted list by repeatedly checking the middle and discarding the half that cannot contain it.', example: 'Finding a word in a dictionary by opening near the middle and narrowing down takes about 20 steps for a million words.', analogy: 'It is like the number-guessing game where every answer is "higher" or "lower".' },
  { name: 'mitosis', definition: 'Mitosis is the kind of cell division that produces two daughter cells with the same chromosomes as the parent cell.', example: 'Skin cells divide by mitosis to replace the ones you lose every day.', analogy: 'It is like photocopying a full recipe book and binding two identical copies.' },
  { name: 'a budget', definition: 'A budget is a plan that sets out expected income and how it will be spent or saved over a period.', example: 'A monthly budget might set aside 30% for rent, 15% for food and 10% for savings.', analogy: 'It is like a map for your money before the trip starts.' },
  { name: 'latency', definition: 'Latency is the delay between a request being sent and the first part of the response arriving.', example: 'A video call with 300 ms of latency makes people talk over each other.', analogy: 'It is like the pause between shouting across a canyon and hearing the echo.' },
  { name: 'a food chain', definition: 'A food chain shows who eats whom, passing energy from producers to consumers to predators.', example: 'Grass is eaten by a rabbit, which is eaten by a fox.', analogy: 'It is like a relay race where energy is the baton.' },
  { name: 'gravity', definition: 'Gravity is the attraction between masses; on Earth it pulls objects towards the centre at about 9.8 m/s².', example: 'A dropped apple and a dropped key hit the floor at the same time if air resistance is small.', analogy: 'It is like a slope in space that everything rolls down.' },
  { name: 'a limiting factor', definition: 'A limiting factor is the resource in shortest supply that holds back growth, even when everything else is plentiful.', example: 'A well-watered garden in deep shade grows slowly because light is the limiting factor.', analogy: 'It is like the slowest hiker setting the pace of the whole group.' },
  { name: 'caching', definition: 'Caching keeps a copy of data that is expensive to fetch somewhere faster, so repeated requests are served quickly.', example: 'A browser caches a site\'s logo so it does not download it on every page.', analogy: 'It is like keeping your keys by the door instead of in the attic.' },
  { name: 'the scientific method', definition: 'The scientific method is a cycle of asking a question, forming a testable hypothesis, experimenting and revising based on the evidence.', example: 'To test whether light affects growth, grow identical seedlings in light and dark and compare their height.', analogy: 'It is like a detective who only trusts clues that can be checked twice.' },
];

export const CAPITALS = [
  ['France', 'Paris'], ['Japan', 'Tokyo'], ['Kenya', 'Nairobi'], ['Canada', 'Ottawa'], ['Australia', 'Canberra'], ['Brazil', 'Brasília'],
  ['Norway', 'Oslo'], ['Egypt', 'Cairo'], ['Peru', 'Lima'], ['Vietnam', 'Hanoi'], ['Portugal', 'Lisbon'], ['Mexico', 'Mexico City'],
  ['Ghana', 'Accra'], ['Poland', 'Warsaw'], ['Chile', 'Santiago'], ['Turkey', 'Ankara'], ['New Zealand', 'Wellington'], ['Ireland', 'Dublin'],
  ['Morocco', 'Rabat'], ['Thailand', 'Bangkok'], ['Argentina', 'Buenos Aires'], ['Finland', 'Helsinki'], ['India', 'New Delhi'], ['Spain', 'Madrid'],
];

export const REVIEWS = [
  ['The battery lasts two full days and the screen is gorgeous.', 'positive'],
  ['Arrived with a cracked lid and the seller never replied.', 'negative'],
  ['It does what it says. Nothing special, nothing wrong.', 'neutral'],
  ['Best ramen I have had outside Osaka — the broth is incredible.', 'positive'],
  ['The app logs me out every time I switch screens. Exhausting.', 'negative'],
  ['Delivery took a week, which is about what they promised.', 'neutral'],
  ['My kids have played with these blocks every day for a month.', 'positive'],
  ['Sizes run small; I had to return it twice.', 'negative'],
  ['Comfortable chair, though assembly instructions were confusing.', 'neutral'],
  ['The tour guide was funny, patient and knew every street.', 'positive'],
  ['Loud fan, weak suction, and the filter clogs in minutes.', 'negative'],
  ['Average coffee, friendly staff, prices are fair.', 'neutral'],
  ['This book made me cry on the train. In a good way.', 'positive'],
  ['Customer support hung up on me after forty minutes on hold.', 'negative'],
  ['The hotel was clean and close to the station.', 'positive'],
  ['Paint started peeling after the first rain.', 'negative'],
];

export const TRANSLATIONS = [
  ['Good morning.', 'Bonjour.', 'Buenos días.'], ['Where is the station?', 'Où est la gare ?', '¿Dónde está la estación?'],
  ['Thank you very much.', 'Merci beaucoup.', 'Muchas gracias.'], ['I would like a coffee, please.', 'Je voudrais un café, s\'il vous plaît.', 'Quisiera un café, por favor.'],
  ['How much does it cost?', 'Combien ça coûte ?', '¿Cuánto cuesta?'], ['The museum opens at nine.', 'Le musée ouvre à neuf heures.', 'El museo abre a las nueve.'],
  ['My name is Sam.', 'Je m\'appelle Sam.', 'Me llamo Sam.'], ['It is raining today.', 'Il pleut aujourd\'hui.', 'Hoy llueve.'],
  ['See you tomorrow.', 'À demain.', 'Hasta mañana.'], ['I do not understand.', 'Je ne comprends pas.', 'No entiendo.'],
  ['The bill, please.', 'L\'addition, s\'il vous plaît.', 'La cuenta, por favor.'], ['Is this seat free?', 'Cette place est-elle libre ?', '¿Está libre este asiento?'],
];

export const SYSTEM_PROMPTS = [
  'You are a patient science tutor for secondary-school students. Keep answers short and check understanding.',
  'You are a concise assistant. Answer in at most three sentences unless asked for more.',
  'You are a friendly explainer who always gives one concrete example.',
  'You help adults learning new subjects. Avoid jargon; define any technical term you use.',
  'You are a careful assistant. If you are unsure, say so plainly.',
  'You are a study buddy. Ask a quick follow-up question at the end of each answer.',
];

export const FOLLOW_UPS = [
  ['Can you give me an example?', 'example'],
  ['Is there a simple way to picture it?', 'analogy'],
  ['Could you put that even more simply?', 'simple'],
];
