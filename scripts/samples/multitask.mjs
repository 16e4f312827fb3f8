// The multi-task set with verifiable answers for the training demo: five string/arithmetic tasks a tiny byte-level
// model can learn in minutes. Each task has 24 instruction paraphrases used in training and two held back for the
// eval file's `"unseen": true` records (generalization to instructions never seen, as in the seed article).
// Measured with the 5-minute demo: 4 paraphrases reached 2% exact match on the held-back ones (held-out loss 0.71);
// 12, 26-44% (0.48); 24, with 2,400 records per task and reversal also of made-up words (the ~440 real words of
// 3-7 letters left after the eval's get memorised, not learnt), held-out loss 0.37 -> 0.24, unseen 0.60 -> 0.42.
// The eval records are drawn first, for every task, so the training set's size does not change them.
// Budgets keep a whole alpaca prompt inside a 128-byte context: instruction <= 48, input <= 28, output <= 16 bytes.
import { WORDS } from './words.mjs';

const TASKS = {
  uppercase: {
    seen: ['Turn every letter into a capital.', 'Write the phrase using capitals.', 'Change every letter to a capital.', 'Give this text in upper case.', 'Capitalize all of the letters.', 'Make the text uppercase.', 'Rewrite these words in capitals.', 'Output the phrase in all capitals.', 'Switch the letters to upper case.', 'Write it all in caps.', 'Return the text with capital letters.', 'Spell the words in uppercase.', 'Convert the phrase to upper case.', 'Write this in capital letters.', 'Make every letter uppercase.', 'Rewrite the text in all caps.', 'Put this text in uppercase.', 'Capitalize every letter of this text.', 'Use capital letters for this text.', 'Write the words using only capital letters.', 'Convert to all uppercase letters.', 'Uppercase this phrase.', 'Make these words all caps.', 'Print the phrase in upper case.'],
    unseen: ['Change these words to uppercase letters.', 'Shout this phrase in block capitals.'],
    make(r) {
      for (;;) {
        const n = r.int(2, 4);
        const phrase = Array.from({ length: n }, () => r.pick(WORDS)).join(' ');
        if (phrase.length <= 16) return { input: phrase, output: phrase.toUpperCase() };
      }
    },
  },
  reverse: {
    seen: ['Write the word from end to start.', 'Return the letters in reverse.', 'Print the word in reverse order.', 'Reverse the letters of this word.', 'Spell it backwards.', 'Write the word the other way round.', 'Give the letters from last to first.', 'Invert the order of the letters.', 'Output the word reversed.', 'Backwards, please: write the word.', 'Rewrite the word in reverse.', 'Put the letters in reverse order.', 'Reverse the word.', 'Spell this word backwards.', 'Write the letters in reverse order.', 'Flip the word so it reads backwards.', 'Write this word backwards.', 'Say this word backwards.', 'Turn the word around.', 'Output the word spelled in reverse.', 'Reverse the order of the letters.', 'Spell the word from its last letter.', 'Give this word backwards.', 'Mirror the letters of the word.'],
    unseen: ['Give the word with its letters reversed.', 'Read this word from right to left.'],
    // In training half the words are made up: reversing must be learnt as copying letters backwards.
    make(r, train) {
      for (;;) {
        const w = train && r.next() < 0.5 ? pseudoWord(r) : r.pick(WORDS);
        if (w.length >= 3 && w.length <= 7) return { input: w, output: [...w].reverse().join('') };
      }
    },
  },
  first_letters: {
    seen: ["Write down each word's first letter.", 'Give the starting letter of each word.', 'Put the first letters of the words together.', 'Take the leading letter of each word.', "Output every word's initial.", 'Print the first letter of every word.', 'Make an acronym from these words.', 'List the initials of the words.', 'Show the first letter of each word.', 'Return the initial of each word.', 'Combine the first letters of these words.', "Write each word's initial letter.", 'Give the first letter of each word.', 'Write the initials of these words.', "List each word's first letter.", 'Take the first letter of every word.', 'Write the first letter of each word.', 'Take the initials of these words.', 'Give the initial of every word.', 'Collect the first letter of every word.', 'Output the first character of each word.', 'Spell the first letter of each word.', "Give each word's first letter.", 'What letter does each word start with?'],
    unseen: ['What are the initial letters of the words?', 'Join the opening letters of the words.'],
    make(r) {
      for (;;) {
        const words = Array.from({ length: r.int(3, 5) }, () => r.pick(WORDS));
        const input = words.join(' ');
        if (input.length <= 28) return { input, output: words.map((w) => w[0]).join('') };
      }
    },
  },
  add: {
    seen: ['Add these two numbers.', 'What is the sum?', 'Give the sum of the numbers.', 'Work out the total.', 'Add the numbers.', 'Return the sum of the two numbers.', 'Calculate the total of these.', 'What is their sum?', 'Compute the sum of these two.', 'Add both numbers together.', 'Output the sum.', 'Tell me the total.', 'Add the two numbers.', 'What is the sum of these numbers?', 'Compute the total of the two numbers.', 'Add these together.', 'Add up the two numbers.', 'Sum these two numbers.', 'What do these numbers add up to?', 'Add them up.', 'Calculate the sum.', 'Total these numbers.', 'Add the numbers together.', 'What is the total of these two numbers?'],
    unseen: ['Find the sum of the two numbers.', 'How much do these two numbers make?'],
    make(r) {
      const a = r.int(0, 49);
      const b = r.int(0, 49);
      return { input: `${a} ${b}`, output: String(a + b) };
    },
  },
  sort: {
    seen: ['Sort these characters in order.', 'Put the symbols in ascending order.', 'Order the characters from low to high.', 'Arrange these symbols in order.', 'Sort the items in ascending order.', 'Put these characters in sequence.', 'Return the items sorted.', 'Order these symbols.', 'Sort them from lowest to highest.', 'Arrange the items in increasing order.', 'Give these characters in order.', 'List the characters in ascending order.', 'Sort the characters.', 'Put these in ascending order.', 'Arrange the items from smallest to largest.', 'Order these characters.', 'Sort these items.', 'Put the characters in order.', 'Arrange these in ascending order.', 'Sort these symbols.', 'Order the items from lowest to highest.', 'Sort the list in increasing order.', 'Sort the characters from low to high.', 'Arrange the characters in order.'],
    unseen: ['List these symbols in sorted order.', 'Rearrange these so they come in order.'],
    make(r) {
      const pool = 'abcdefghijklmnopqrstuvwxyz0123456789';
      const n = r.int(3, 5);
      const picked = new Set();
      while (picked.size < n) picked.add(r.pick(pool));
      const items = [...picked];
      // code-point order (digits before letters), the same order a program would check against
      return { input: items.join(' '), output: [...items].sort().join(' ') };
    },
  },
};

/** A made-up word of 3-7 letters, consonants and vowels alternating: for reversal, letters the model must copy. */
function pseudoWord(r) {
  const C = 'bcdfghjklmnprstvwz', V = 'aeiou';
  const n = r.int(3, 7);
  let w = '';
  for (let i = 0; w.length < n; i++) w += i % 2 === 0 ? r.pick(C) : r.pick(V);
  return w.slice(0, n);
}

const byteLength = (s) => Buffer.byteLength(s, 'utf8');

export function makeMultitask(r, { trainPerTask = 2400, evalSeenPerTask = 45, evalUnseenPerTask = 15 } = {}) {
  const train = [];
  const evalSet = [];
  const evalInputs = new Set();
  for (const [task, spec] of Object.entries(TASKS)) {
    for (const p of [...spec.seen, ...spec.unseen]) if (byteLength(p) > 48) throw new Error(`instruction over 48 bytes: ${p}`);
    const evalCases = [];
    while (evalCases.length < evalSeenPerTask + evalUnseenPerTask) {
      const c = spec.make(r, false);
      if (evalInputs.has(c.input)) continue;
      evalInputs.add(c.input);
      evalCases.push(c);
    }
    evalCases.forEach((c, i) => {
      const unseen = i >= evalSeenPerTask;
      const instruction = unseen ? spec.unseen[i % spec.unseen.length] : spec.seen[i % spec.seen.length];
      evalSet.push({ instruction, input: c.input, output: c.output, task, ...(unseen ? { unseen: true } : {}) });
    });
  }
  for (const [task, spec] of Object.entries(TASKS)) {
    const used = new Set();
    let guard = 0;
    let added = 0;
    while (added < trainPerTask) {
      if (++guard > trainPerTask * 200) throw new Error(`cannot draw ${trainPerTask} distinct ${task} records`);
      const c = spec.make(r, true);
      if (evalInputs.has(c.input)) continue;
      const instruction = r.pick(spec.seen);
      const key = `${instruction}\u0000${c.input}`;
      if (used.has(key)) continue;
      used.add(key);
      train.push({ instruction, input: c.input, output: c.output, task });
      added++;
    }
  }
  for (const rec of [...train, ...evalSet]) {
    if (byteLength(rec.input) > 28 || byteLength(rec.output) > 16) throw new Error(`budget exceeded: ${JSON.stringify(rec)}`);
  }
  // interleave tasks so any prefix of the file is a fair mix
  return { train: r.shuffle(train), eval: r.shuffle(evalSet) };
}
