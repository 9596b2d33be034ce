import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
var i=class extends Error{findings;constructor(r,s=[]){super(r),this.name="ActionError",this.findings=s}};function t(n){return n instanceof Error?n.message:String(n)}export{i as a,t as b};
