import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
var s=class extends Error{findings;constructor(r,t=[]){super(r),this.name="ActionError",this.findings=t}},i=class extends s{constructor(r){super(r),this.name="WatchLost"}};function e(n){return n instanceof Error?n.message:String(n)}export{s as a,i as b,e as c};
