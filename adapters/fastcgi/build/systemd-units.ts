/**
 * systemd units for a FastCGI or SCGI app: `portico-<name>.socket` (systemd owns the listening
 * socket, the web server's user may connect) and `portico-<name>.service` (the app, started on
 * the first connection, handed the socket through LISTEN_FDS).
 *
 * Build time only.
 */
import { hostPort, type SnippetInput, startCommand } from './snippet-input.ts';

/**
 * The two unit files, by file name.
 *
 * @example
 * systemdUnits(input); // { 'portico-shop.socket': '...', 'portico-shop.service': '...' }
 */
export function systemdUnits(input: SnippetInput): Record<string, string> {
  const unit = `portico-${input.name}`;
  const a = input.address;
  const listen = 'socket' in a ? a.socket : hostPort(a);
  const socket = [
    `# portico ${input.transport} app "${input.name}": copy to /etc/systemd/system/ with ${unit}.service, then`,
    `#   systemctl daemon-reload && systemctl enable --now ${unit}.socket`,
    '[Unit]',
    `Description=portico ${input.transport} socket of ${input.name}`,
    '',
    '[Socket]',
    `ListenStream=${listen}`,
    ...('socket' in a
      ? [
          // The web server's workers (www-data on Debian) connect; nobody else.
          'SocketUser=root',
          'SocketGroup=www-data',
          'SocketMode=0660',
        ]
      : []),
    '',
    '[Install]',
    'WantedBy=sockets.target',
    '',
  ];
  const service = [
    `# portico ${input.transport} app "${input.name}", started by ${unit}.socket on the first connection.`,
    '[Unit]',
    `Description=portico ${input.transport} app ${input.name}`,
    `Requires=${unit}.socket`,
    `After=${unit}.socket network.target`,
    '',
    '[Service]',
    // The socket arrives as LISTEN_FDS; the script needs no address flag.
    `ExecStart=${startCommand(input)}`,
    `WorkingDirectory=${input.dir}`,
    'Environment=NODE_ENV=production',
    'DynamicUser=yes',
    'Restart=on-failure',
    // SIGTERM drains the requests in flight; after this, systemd kills what is left.
    'KillSignal=SIGTERM',
    // Only the main process gets SIGTERM: with --workers it is the primary, which drains its
    // workers itself (they would otherwise be told twice); SIGKILL still reaches all at the end.
    'KillMode=mixed',
    'TimeoutStopSec=30',
    // The primary of --workers replaces its workers one by one on SIGHUP (a new server.mjs
    // included) with no failed request; a single process has no reload and would die of it.
    input.daemon ? 'ExecReload=/bin/kill -HUP $MAINPID' : '# With --workers (or PORTICO_WORKERS): ExecReload=/bin/kill -HUP $MAINPID',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return { [`${unit}.socket`]: socket.join('\n'), [`${unit}.service`]: service.join('\n') };
}
