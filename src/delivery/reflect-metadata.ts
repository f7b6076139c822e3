/**
 * The slice of the Reflect metadata API that @peculiar/x509 (through tsyringe) needs at load time:
 * getMetadata, getOwnMetadata, defineMetadata, hasMetadata, metadata. Installed only when no polyfill
 * (reflect-metadata, core-js) is present, so an application's own polyfill wins.
 */
type Key = unknown;
type Target = object;

interface MetadataApi {
  getMetadata(key: Key, target: Target, property?: PropertyKey): unknown;
  getOwnMetadata(key: Key, target: Target, property?: PropertyKey): unknown;
  defineMetadata(key: Key, value: unknown, target: Target, property?: PropertyKey): void;
  hasMetadata(key: Key, target: Target, property?: PropertyKey): boolean;
  metadata(key: Key, value: unknown): (target: Target, property?: PropertyKey) => void;
}

export function installReflectMetadata(): void {
  const reflect = Reflect as unknown as Partial<MetadataApi>;
  if (typeof reflect.getMetadata === "function") return;
  const tables = new WeakMap<Target, Map<PropertyKey | undefined, Map<Key, unknown>>>();
  const table = (target: Target, property: PropertyKey | undefined, create: boolean): Map<Key, unknown> | undefined => {
    let byProperty = tables.get(target);
    if (!byProperty) {
      if (!create) return undefined;
      byProperty = new Map();
      tables.set(target, byProperty);
    }
    let entries = byProperty.get(property);
    if (!entries && create) {
      entries = new Map();
      byProperty.set(property, entries);
    }
    return entries;
  };
  const api: MetadataApi = {
    getOwnMetadata: (key, target, property) => table(target, property, false)?.get(key),
    getMetadata(key, target, property) {
      for (let t: Target | null = target; t !== null; t = Object.getPrototypeOf(t) as Target | null) {
        const entries = table(t, property, false);
        if (entries?.has(key)) return entries.get(key);
      }
      return undefined;
    },
    defineMetadata: (key, value, target, property) => void table(target, property, true)?.set(key, value),
    hasMetadata: (key, target, property) => api.getMetadata(key, target, property) !== undefined,
    metadata: (key, value) => (target, property) => api.defineMetadata(key, value, target, property),
  };
  Object.assign(Reflect, api);
}
