// A binary min-heap ordered by a numeric priority: the work queue's delayed items live here so
// 10,000 pending `addAfter`s cost one timer, not 10,000.

export interface HeapEntry<T> {
  readonly at: number;
  readonly value: T;
}

export class MinHeap<T> {
  readonly #items: HeapEntry<T>[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): HeapEntry<T> | undefined {
    return this.#items[0];
  }

  push(at: number, value: T): void {
    const items = this.#items;
    items.push({ at, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      const c = items[i];
      if (p === undefined || c === undefined || p.at <= c.at) break;
      items[parent] = c;
      items[i] = p;
      i = parent;
    }
  }

  pop(): HeapEntry<T> | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if ((items[l]?.at ?? Infinity) < (items[smallest]?.at ?? Infinity)) smallest = l;
      if ((items[r]?.at ?? Infinity) < (items[smallest]?.at ?? Infinity)) smallest = r;
      if (smallest === i) break;
      const a = items[i];
      const b = items[smallest];
      if (a === undefined || b === undefined) break;
      items[i] = b;
      items[smallest] = a;
      i = smallest;
    }
    return top;
  }

  clear(): void {
    this.#items.length = 0;
  }
}
