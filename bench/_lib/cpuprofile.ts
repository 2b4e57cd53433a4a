/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and ranks functions by self time,
 * the figure that says where a hot path spends its cycles.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FrameCost {
  /** `name (file:line)`, with the file shortened to what follows node_modules/ or the repo root. */
  frame: string;
  selfMs: number;
  /** Share of all sampled time, idle included. */
  percent: number;
}

/**
 * The `limit` functions with the most self time in `file`, with their share of the profile,
 * and the busy (non-idle) time of the whole profile. Frames of the same function (several
 * inlining states) are added together.
 *
 * @example
 * const { frames, busyMs } = topSelfTime('CPU.123.cpuprofile');
 * for (const f of frames) console.log(f.percent.toFixed(1), f.frame);
 */
export function topSelfTime(file: string, limit = 25, root = process.cwd()): { frames: FrameCost[]; busyMs: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) continue;
    total += dt;
    const key = frameName(node, root);
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  }
  const frames = [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([frame, us]) => ({ frame, selfMs: us / 1000, percent: total ? (100 * us) / total : 0 }));
  return { frames, busyMs: (total - (selfUs.get('(idle)') ?? 0)) / 1000 };
}

function frameName(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  let file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) file = file.slice(nm + 'node_modules/'.length);
  else if (file.startsWith(root)) file = file.slice(root.length + 1);
  return `${name} (${file}:${lineNumber + 1})`;
}
