// A program as a model would write it: an async arrow whose value comes back.
async () => {
  const words = ["sandboxed", "typed", "fast"];
  console.log(`checking ${words.length} words`);
  const lengths = Object.fromEntries(words.map((w) => [w, w.length]));
  return { longest: words.reduce((a, b) => (b.length > a.length ? b : a)), lengths };
}
