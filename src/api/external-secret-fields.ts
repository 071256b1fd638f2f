// Typed readers for validating untrusted ExternalSecret objects. Each records an issue with its
// field path instead of throwing, so one pass reports every problem at once.

export interface EsIssue {
  /** Field path, e.g. `spec.data[2].remoteRef.key`. */
  readonly path: string;
  readonly message: string;
}

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A valid key of a Kubernetes Secret's data. */
export function isValidSecretKey(key: string): boolean {
  return key.length <= 253 && SECRET_KEY.test(key);
}

export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

export class Fields {
  readonly issues: EsIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  obj(o: Obj, key: string, path: string): Obj | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.add(`${path}.${key}`, 'must be an object');
      return undefined;
    }
    return v;
  }

  str(o: Obj, key: string, path: string, required = false): string | undefined {
    const v = o[key];
    if (v === undefined || v === null || v === '') {
      if (required) this.add(`${path}.${key}`, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(`${path}.${key}`, 'must be a string');
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[], dflt: T): T {
    const v = this.str(o, key, path);
    if (v === undefined) return dflt;
    if (!(allowed as readonly string[]).includes(v)) {
      this.add(`${path}.${key}`, `must be one of ${allowed.join(', ')}`);
      return dflt;
    }
    return v as T;
  }

  bool(o: Obj, key: string, path: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.add(`${path}.${key}`, 'must be a boolean');
      return undefined;
    }
    return v;
  }

  list(o: Obj, key: string, path: string): unknown[] {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.add(`${path}.${key}`, 'must be a list');
      return [];
    }
    return v;
  }

  strings(o: Obj, key: string, path: string): string[] {
    const v = this.list(o, key, path);
    if (!v.every((x) => typeof x === 'string')) {
      this.add(`${path}.${key}`, 'must be a list of strings');
      return [];
    }
    return v;
  }

  strMap(o: Obj, key: string, path: string): Record<string, string> {
    const v = this.obj(o, key, path);
    if (v === undefined) return {};
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') this.add(`${path}.${key}.${k}`, 'must be a string');
      else
        Object.defineProperty(out, k, {
          value: x,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return out;
  }

  /** Reports fields ESO has that Sealbridge deliberately does not carry out. */
  unsupported(o: Obj, path: string, fields: Readonly<Record<string, string>>): void {
    for (const [field, why] of Object.entries(fields)) {
      if (o[field] !== undefined && o[field] !== null) this.add(`${path}.${field}`, why);
    }
  }
}
