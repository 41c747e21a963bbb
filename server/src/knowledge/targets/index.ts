// Every target module iptables 1.8.9 knows (iptables-extensions(8), TARGET EXTENSIONS).
// MIRROR (removed from Linux in 2.6.24 and from iptables long ago) is not among them.
import type { ModuleDef } from '../types';
import { CONNTRACK_TARGETS } from './conntrack';
import { HEADER_TARGETS } from './header';
import { hmarkTarget } from './hmark';
import { LOG_TARGETS } from './log';
import { MARK_TARGETS } from './mark';
import { MISC_TARGETS } from './misc';
import { NAT_TARGETS } from './nat';
import { rejectTarget4, rejectTarget6 } from './reject';

export const TARGETS: ModuleDef[] = [
  rejectTarget4, rejectTarget6,
  ...LOG_TARGETS,
  ...NAT_TARGETS,
  ...MARK_TARGETS, hmarkTarget,
  ...HEADER_TARGETS,
  ...CONNTRACK_TARGETS,
  ...MISC_TARGETS,
];
