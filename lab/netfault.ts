import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LAB_ERROR_CODES, LabError, type Fault, type PathDelayFault, type PathFault } from './faults.js';

const run = promisify(execFile);

/**
 * How region path faults (and node-refuse at a rate) are realised:
 * - `userland`: the node itself looks at the client's source address and drops (accepts, never
 *   answers), resets (RST after accept) or holds the connection. No privileges needed.
 * - `kernel`: iptables rules on the source/destination pair in a chain of the lab's own, so the
 *   client sees what a broken path really does: SYNs vanish (connect timeout), or the connection is
 *   reset right after the handshake. Delays stay in userland in both modes.
 */
export type NetMode = 'kernel' | 'userland';

/** What a region's path does to one connection. */
export interface PathVerdict {
  readonly drop: boolean;
  readonly reset: boolean;
  readonly delayMs: number;
}

/** A path-drop, path-reset or path-delay fault. */
export type AnyPathFault = Fault & (PathFault | PathDelayFault);

/** The path faults (already known to be active) that apply to a connection from `region` to `node`. */
export function pathFaultsFor(active: readonly Fault[], region: string | null, node: string): AnyPathFault[] {
  if (region === null) return [];
  const out: AnyPathFault[] = [];
  for (const f of active) {
    if ((f.kind === 'path-drop' || f.kind === 'path-reset' || f.kind === 'path-delay') && f.region === region && (f.node === undefined || f.node === node)) {
      out.push(f);
    }
  }
  return out;
}

/**
 * The userland verdict for one connection: each applicable fault hits with its rate (one draw each);
 * drop beats reset; delays of the faults that hit add up. In kernel mode drop and reset are the
 * firewall's, so only delays are decided here.
 */
export function pathVerdict(faults: readonly AnyPathFault[], mode: NetMode, random: () => number): PathVerdict {
  let drop = false;
  let reset = false;
  let delayMs = 0;
  for (const f of faults) {
    if (f.kind !== 'path-delay' && mode === 'kernel') continue;
    if (!(random() < f.rate)) continue;
    if (f.kind === 'path-drop') drop = true;
    else if (f.kind === 'path-reset') reset = true;
    else if (f.kind === 'path-delay') delayMs += f.delayMs;
  }
  return { drop, reset, delayMs };
}

/** An iptables rule of the lab's chain: match and target arguments, as given to `-A`. */
export type KernelRule = readonly string[];

/** Where the lab's listeners are, for turning faults into rules. */
export interface KernelTopology {
  /** The region's source address. */
  readonly sourceOf: (region: string) => string;
  /** The node's IPv4 addresses (iptables rules are IPv4 only). */
  readonly ipsOf: (node: string) => readonly string[];
  readonly nodes: readonly string[];
  /** Every port the nodes listen on (http, https). */
  readonly ports: readonly number[];
  /** The lab's DNS server. */
  readonly dns: { readonly host: string; readonly port: number };
}

const isV4 = (ip: string): boolean => /^\d+\.\d+\.\d+\.\d+$/.test(ip);

/** The rules that realise `fault` in kernel mode (empty for faults that are not the firewall's). */
export function kernelRules(fault: Fault, topo: KernelTopology): KernelRule[] {
  const rules: KernelRule[] = [];
  const nodes = (node: string | undefined): readonly string[] => (node === undefined ? topo.nodes : [node]);
  if (fault.kind === 'path-drop' || fault.kind === 'path-reset') {
    const src = topo.sourceOf(fault.region);
    for (const node of nodes(fault.node)) {
      for (const ip of topo.ipsOf(node).filter(isV4)) {
        for (const port of topo.ports) {
          const match = ['-s', src, '-d', ip, '-p', 'tcp', '-m', 'tcp', '--dport', String(port)];
          // a dropped path swallows the SYN (the client's connect times out); a resetting one lets the
          // handshake through and answers the client's first segment with RST, so the connection the
          // client already counts as open is reset
          rules.push(fault.kind === 'path-drop' ? [...match, '-j', 'DROP'] : [...match, '!', '--syn', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
        }
      }
    }
  } else if (fault.kind === 'node-refuse' && fault.rate > 0 && fault.rate < 1) {
    // (at rate 1 the node closes its listeners instead, in both modes.) An RST to the SYN is a refused
    // connection, and no retransmission follows it, so sampling SYNs samples connections.
    const sample = ['-m', 'statistic', '--mode', 'random', '--probability', fault.rate.toFixed(6)];
    for (const ip of topo.ipsOf(fault.node).filter(isV4)) {
      for (const port of topo.ports) {
        rules.push(['-d', ip, '-p', 'tcp', '-m', 'tcp', '--dport', String(port), '--syn', ...sample, '-j', 'REJECT', '--reject-with', 'tcp-reset']);
      }
    }
  } else if (fault.kind === 'dns' && fault.region !== undefined && fault.fault === 'timeout') {
    const src = topo.sourceOf(fault.region);
    for (const proto of ['udp', 'tcp']) {
      rules.push(['-s', src, '-d', topo.dns.host, '-p', proto, '-m', proto, '--dport', String(topo.dns.port), '-j', 'DROP']);
    }
  }
  return rules;
}

const IPTABLES = 'iptables';
const CHAIN_PREFIX = 'cplab-';
let chainCount = 0;

async function iptables(args: readonly string[]): Promise<string> {
  // -w: wait for the xtables lock instead of failing when another process holds it
  const { stdout } = await run(IPTABLES, ['-w', '5', ...args], { timeout: 15_000 });
  return stdout;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lab's own iptables chain, jumped to from INPUT (loopback traffic passes INPUT on its way in).
 * Rules are kept in sync with the faults in effect; close() removes the jump, the rules and the chain.
 */
export class Iptables {
  readonly chain: string;
  #installed: KernelRule[] = [];
  #open = true;

  private constructor(chain: string) {
    this.chain = chain;
  }

  /** Why kernel mode cannot be used here, or null when it can (root, and iptables answers). */
  static async unavailable(): Promise<string | null> {
    if (process.getuid?.() !== 0) return 'kernel net mode needs root (iptables)';
    try {
      await iptables(['-S', 'INPUT']);
      return null;
    } catch (err) {
      return `kernel net mode needs a working iptables: ${(err as Error).message.split('\n')[0] ?? ''}`;
    }
  }

  /** Creates the chain and the jump to it, after removing chains left behind by dead lab processes. */
  static async open(): Promise<Iptables> {
    await Iptables.sweepStale();
    chainCount += 1;
    const chain = `${CHAIN_PREFIX}${process.pid}-${chainCount}`;
    try {
      await iptables(['-N', chain]);
      await iptables(['-I', 'INPUT', '1', '-j', chain]);
    } catch (err) {
      await iptables(['-X', chain]).catch(() => undefined);
      throw new LabError(LAB_ERROR_CODES.kernel, `iptables: cannot create chain ${chain}: ${(err as Error).message}`, { cause: err });
    }
    return new Iptables(chain);
  }

  /** Chains named cplab-<pid>-<n> whose process is gone (a lab killed before close): unhooked and deleted. */
  static async sweepStale(): Promise<void> {
    const listing = await iptables(['-S']);
    for (const m of listing.matchAll(/^-N (cplab-(\d+)-\d+)$/gm)) {
      const [, chain, pid] = m;
      if (chain === undefined || pid === undefined || pidAlive(Number(pid))) continue;
      await Iptables.#remove(chain);
    }
  }

  static async #remove(chain: string): Promise<void> {
    // the jump may have been added more than once by hand: remove until none is left
    for (let i = 0; i < 16; i++) {
      try {
        await iptables(['-D', 'INPUT', '-j', chain]);
      } catch {
        break;
      }
    }
    await iptables(['-F', chain]).catch(() => undefined);
    await iptables(['-X', chain]).catch(() => undefined);
  }

  /** The rules currently installed. */
  get rules(): readonly KernelRule[] {
    return this.#installed;
  }

  /** Makes the chain hold exactly `rules`: new ones are added before stale ones are removed. */
  async sync(rules: readonly KernelRule[]): Promise<void> {
    if (!this.#open) return;
    const key = (r: KernelRule): string => r.join('\u0000');
    const want = new Map(rules.map((r) => [key(r), r]));
    const have = new Map(this.#installed.map((r) => [key(r), r]));
    try {
      for (const [k, r] of want) {
        if (have.has(k)) continue;
        await iptables(['-A', this.chain, ...r]);
        this.#installed.push(r);
      }
      for (const [k, r] of have) {
        if (want.has(k)) continue;
        await iptables(['-D', this.chain, ...r]);
        this.#installed = this.#installed.filter((x) => key(x) !== k);
      }
    } catch (err) {
      throw new LabError(LAB_ERROR_CODES.kernel, `iptables: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Removes the jump, every rule and the chain. */
  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#installed = [];
    await Iptables.#remove(this.chain);
  }
}
