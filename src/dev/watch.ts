/**
 * Watch the files a build read, through fs.watch on their folders (inotify on Linux, FSEvents
 * on macOS): a save is seen in a millisecond or two, where esbuild's own watch mode polls. The
 * set of folders follows each build's inputs, so a newly imported file is watched from the
 * build that first reads it.
 */
import { type FSWatcher, watch } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * @example
 * const w = new InputWatcher((file) => rebuild(file));
 * w.update(['/app/src/app.ts', '/app/src/routes.ts']);
 */
export class InputWatcher {
  #watchers = new Map<string, FSWatcher>();
  #files = new Set<string>();
  #onChange: (file: string) => void;
  #ignore: (file: string) => boolean;
  #closed = false;
  /** When true, any change in a watched folder counts (the last build failed: anything may fix it). */
  loose = false;

  /** `ignore`: changes never worth a rebuild, even in loose mode (the build's own output). */
  constructor(onChange: (file: string) => void, ignore: (file: string) => boolean = () => false) {
    this.#onChange = onChange;
    this.#ignore = ignore;
  }

  /** Watch exactly the folders of `files` (node_modules left out: edits there are rare and slow to watch). */
  update(files: Iterable<string>): void {
    const list = [...files].filter((f) => !f.includes('/node_modules/') && !f.includes('\\node_modules\\'));
    // A build that finishes after close() must not open watchers again.
    if (this.#closed || list.length === 0) return; // a failed build reads nothing new; keep what we watch
    this.#files = new Set(list);
    const dirs = new Set(list.map((f) => dirname(f)));
    for (const [dir, watcher] of this.#watchers) {
      if (!dirs.has(dir)) {
        watcher.close();
        this.#watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (this.#watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, (_event, name) => {
          if (!name) return;
          const file = join(dir, name.toString());
          if (this.#closed || this.#ignore(file)) return;
          if (this.#files.has(file) || (this.loose && !/(^|[\\/])(\.[^\\/]*|node_modules)$/.test(file))) this.#onChange(file);
        });
        watcher.on('error', () => this.#watchers.delete(dir));
        this.#watchers.set(dir, watcher);
      } catch {
        // folder gone (deleted between build and watch): the next build will say so
      }
    }
  }

  /** The files watched now. */
  get files(): string[] {
    return [...this.#files];
  }

  get size(): number {
    return this.#files.size;
  }

  close(): void {
    this.#closed = true;
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }
}
