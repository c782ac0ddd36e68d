// Short-lived caches of dataset metadata shared by every component.
import { api } from './client';
import type { DatasetInfo, DatasetStats } from './types';

const TTL_MS = 60_000;
const infos = new Map<string, { at: number; p: Promise<DatasetInfo> }>();
let list: { at: number; p: Promise<DatasetStats[]> } | null = null;

export function datasetInfo(name: string): Promise<DatasetInfo> {
  const hit = infos.get(name);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.p;
  const p = api.dataset(name);
  p.catch(() => infos.delete(name));
  infos.set(name, { at: Date.now(), p });
  return p;
}

export function datasetList(): Promise<DatasetStats[]> {
  if (list && Date.now() - list.at < TTL_MS) return list.p;
  const p = api.datasets();
  p.catch(() => (list = null));
  list = { at: Date.now(), p };
  return p;
}

export function isNumericType(type: string): boolean {
  return /^(u?int|float|decimal|double)/i.test(type);
}
