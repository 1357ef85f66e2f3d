import { execFileSync } from 'node:child_process';

/**
 * Makes `ip:port` drop every incoming TCP segment (so a SYN is never answered: a connect timeout) with
 * iptables, and returns the function that removes the rule. Returns a reason string when iptables cannot
 * be used here (not root, no netfilter).
 */
export function dropTcp(ip: string, port: number): (() => void) | string {
  const rule = ['INPUT', '-d', ip, '-p', 'tcp', '--dport', String(port), '-j', 'DROP'];
  try {
    execFileSync('iptables', ['-w', '5', '-A', ...rule], { stdio: 'pipe' });
  } catch (err) {
    return `iptables unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
  return () => {
    execFileSync('iptables', ['-w', '5', '-D', ...rule], { stdio: 'pipe' });
  };
}
