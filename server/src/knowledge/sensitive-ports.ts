// Well-known services that should rarely be reachable from the whole Internet; named in exposure
// messages ("the range includes MySQL 3306 ...").
export interface SensitivePort { port: number; proto: 'tcp' | 'udp'; name: string }

export const SENSITIVE_PORTS: SensitivePort[] = [
  { port: 21, proto: 'tcp', name: 'FTP' }, { port: 22, proto: 'tcp', name: 'SSH' }, { port: 23, proto: 'tcp', name: 'Telnet' },
  { port: 111, proto: 'tcp', name: 'rpcbind' }, { port: 135, proto: 'tcp', name: 'MS RPC' }, { port: 139, proto: 'tcp', name: 'NetBIOS' },
  { port: 445, proto: 'tcp', name: 'SMB' }, { port: 873, proto: 'tcp', name: 'rsync' }, { port: 1433, proto: 'tcp', name: 'SQL Server' },
  { port: 1521, proto: 'tcp', name: 'Oracle DB' }, { port: 2049, proto: 'tcp', name: 'NFS' }, { port: 2375, proto: 'tcp', name: 'Docker API' },
  { port: 2376, proto: 'tcp', name: 'Docker API (TLS)' }, { port: 2379, proto: 'tcp', name: 'etcd' }, { port: 3306, proto: 'tcp', name: 'MySQL' },
  { port: 3389, proto: 'tcp', name: 'Remote Desktop' }, { port: 5432, proto: 'tcp', name: 'PostgreSQL' }, { port: 5900, proto: 'tcp', name: 'VNC' },
  { port: 5984, proto: 'tcp', name: 'CouchDB' }, { port: 6379, proto: 'tcp', name: 'Redis' }, { port: 6443, proto: 'tcp', name: 'Kubernetes API' },
  { port: 8080, proto: 'tcp', name: 'HTTP proxy/admin' }, { port: 9200, proto: 'tcp', name: 'Elasticsearch' }, { port: 10250, proto: 'tcp', name: 'kubelet' },
  { port: 11211, proto: 'tcp', name: 'Memcached' }, { port: 27017, proto: 'tcp', name: 'MongoDB' },
  { port: 161, proto: 'udp', name: 'SNMP' }, { port: 11211, proto: 'udp', name: 'Memcached' }, { port: 2049, proto: 'udp', name: 'NFS' },
];

export function sensitiveIn(from: number, to: number, proto: string | undefined): SensitivePort[] {
  return SENSITIVE_PORTS.filter((s) => s.port >= from && s.port <= to && (proto === undefined || proto === s.proto));
}
