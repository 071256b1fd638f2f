// SopsSecret documents keep their payload in canonical order: spec.data before spec.stringData,
// and the keys of each in byte order.
// The API server serves custom resources with map keys sorted, and the SopsSecret controller
// hashes the payload in that order, so Sealbridge writes it that way: every writer (encrypt,
// rotate, set, unset) seals through sealBranches, which calls orderSopsSecretPayload first. A
// comment stays with the entry below it.
import { Comment, TreeMap, type MapItem } from './tree.ts';

/** Go's string order (bytes; the same as UTF-16 order for the ASCII of Secret keys). */
export function byteOrder(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Whether a document is a sealbridge.io SopsSecret. */
export function isSopsSecretBranch(m: TreeMap): boolean {
  const apiVersion = m.get('apiVersion');
  return (
    m.get('kind') === 'SopsSecret' &&
    typeof apiVersion === 'string' &&
    apiVersion.startsWith('sealbridge.io/')
  );
}

function sortMap(m: TreeMap): void {
  const groups: { key: string; items: MapItem[] }[] = [];
  let pending: MapItem[] = [];
  for (const item of m.items) {
    if (item instanceof Comment) {
      pending.push(item);
      continue;
    }
    groups.push({ key: item.key, items: [...pending, item] });
    pending = [];
  }
  groups.sort((a, b) => byteOrder(a.key, b.key));
  m.items.splice(0, m.items.length, ...groups.flatMap((g) => g.items), ...pending);
}

/** Moves spec.data (with the comments above it) in front of spec.stringData. */
function dataFirst(spec: TreeMap): void {
  const idx = (key: string): number =>
    spec.items.findIndex((i) => !(i instanceof Comment) && i.key === key);
  const data = idx('data');
  const stringData = idx('stringData');
  if (data < 0 || stringData < 0 || data < stringData) return;
  let start = data;
  while (start > 0 && spec.items[start - 1] instanceof Comment) start--;
  const moved = spec.items.splice(start, data - start + 1);
  spec.items.splice(idx('stringData'), 0, ...moved);
}

/**
 * Puts every SopsSecret document's payload in canonical order, in place: spec.data before
 * spec.stringData, and the keys of each in byte order.
 */
export function orderSopsSecretPayload(branches: readonly TreeMap[]): void {
  for (const b of branches) {
    if (!isSopsSecretBranch(b)) continue;
    const spec = b.get('spec');
    if (!(spec instanceof TreeMap)) continue;
    dataFirst(spec);
    for (const field of ['data', 'stringData']) {
      const m = spec.get(field);
      if (m instanceof TreeMap) sortMap(m);
    }
  }
}
