// The systems in table order: the ceiling first, then Sluice, then its peers.
import type { SystemDef } from "../types.js";
import { elasticmq } from "./elasticmq.js";
import { fauxqs } from "./fauxqs.js";
import { moto } from "./moto.js";
import { noop } from "./noop.js";
import { sluice, sluiceMemory } from "./sluice.js";

export const allSystems: readonly SystemDef[] = [noop, sluice, sluiceMemory, fauxqs, moto, elasticmq];
