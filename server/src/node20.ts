// VS Code up to 1.100 runs extensions (and so this server, when started with the editor's own
// runtime) on Node 20, which lacks Object.groupBy (Node 21+); chevrotain 13 calls it when the
// command-line parser is built. Defined here only where missing, before anything parses.
if (typeof (Object as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Object, 'groupBy', {
    configurable: true,
    writable: true,
    value<T>(items: Iterable<T>, key: (item: T, index: number) => PropertyKey): Partial<Record<PropertyKey, T[]>> {
      const out: Partial<Record<PropertyKey, T[]>> = Object.create(null);
      let i = 0;
      for (const item of items) (out[key(item, i++)] ??= []).push(item);
      return out;
    },
  });
}
export {};
