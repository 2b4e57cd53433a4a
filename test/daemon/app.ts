// The app of the daemon-mode tests. Its top level appends this process's pid to $SIDE_FILE, so a
// test counts exactly which processes evaluated it (the primary must not), and throws when
// $FAIL_AT_START is set (a bad deploy). /slow?ms= answers late; /crash throws from a timer.
import { appendFileSync } from 'node:fs';

if (process.env.SIDE_FILE) appendFileSync(process.env.SIDE_FILE, `${process.pid}\n`);
if (process.env.FAIL_AT_START) throw new Error('this app fails at start (FAIL_AT_START)');

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.endsWith('/slow')) await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get('ms') ?? 1000)));
    if (url.pathname.endsWith('/crash')) setTimeout(() => {
      throw new Error('crash asked for');
    });
    return new Response(String(process.pid));
  },
};
