import { analyze } from '../../../server/src/engine';
const a = analyze(`*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 1024:65535 -j ACCEPT
-A INPUT -m state --state ESTABLISHED -j ACCEPT
COMMIT
`);
console.log(JSON.stringify(a.problems.map(p=>[p.code,p.range.start, p.message.en]),null,0));
