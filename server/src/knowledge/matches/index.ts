// Every match module iptables 1.8.9 knows (iptables-extensions(8), MATCH EXTENSIONS).
import type { ModuleDef } from '../types';
import { tcpMatch, tcpmssMatch } from './tcp';
import { udpMatch } from './udp';
import { dccpMatch, sctpMatch } from './sctp-dccp';
import { multiportMatch } from './multiport';
import { icmp6Match, icmpMatch } from './icmp';
import { ah6Match, ahMatch, espMatch, ipcompMatch } from './ipsec';
import { dstMatch, eui64Match, fragMatch, hbhMatch, ipv6headerMatch } from './ipv6-ext-headers';
import { mhMatch, rtMatch, srhMatch } from './ipv6-routing';
import { dscpMatch, ecnMatch, hlMatch, lengthMatch, tosMatch, ttlMatch } from './ip-header';
import { addrtypeMatch, iprangeMatch, macMatch, pkttypeMatch, realmMatch } from './link-address';
import { bpfMatch, stringMatch, u32Match } from './payload';
import { conntrackMatch, helperMatch, stateMatch } from './conntrack';
import { commentMatch } from './comment';
import { limitMatch } from './limit';
import { hashlimitMatch } from './hashlimit';
import { connlabelMatch, connmarkMatch, markMatch } from './marks';
import { connbytesMatch, connlimitMatch, nfacctMatch, quotaMatch } from './counting';
import { recentMatch } from './recent';
import { timeMatch } from './time';
import { cgroupMatch, ownerMatch, socketMatch } from './local-socket';
import { devgroupMatch, physdevMatch, rpfilterMatch } from './devices';
import { clusterMatch, cpuMatch, statisticMatch } from './sampling';
import { setMatch } from './set';
import { policyMatch } from './policy';
import { rateestMatch } from './rateest';
import { ipvsMatch, osfMatch } from './ipvs-osf';

export const MATCHES: ModuleDef[] = [tcpMatch,
  tcpmssMatch, udpMatch, sctpMatch, dccpMatch, multiportMatch, icmpMatch, icmp6Match, ahMatch, ah6Match, espMatch, ipcompMatch,
  fragMatch, dstMatch, hbhMatch, ipv6headerMatch, eui64Match, rtMatch, srhMatch, mhMatch,
  ttlMatch, hlMatch, tosMatch, dscpMatch, ecnMatch, lengthMatch, pkttypeMatch, macMatch, addrtypeMatch, iprangeMatch, realmMatch,
  stringMatch, u32Match, bpfMatch,
  conntrackMatch, stateMatch, helperMatch, commentMatch, limitMatch, hashlimitMatch, markMatch, connmarkMatch, connlabelMatch,
  connlimitMatch, connbytesMatch, quotaMatch, nfacctMatch, recentMatch, timeMatch,
  ownerMatch, cgroupMatch, socketMatch, physdevMatch, devgroupMatch, rpfilterMatch, statisticMatch, cpuMatch, clusterMatch,
  setMatch, policyMatch, rateestMatch, ipvsMatch, osfMatch,
];
