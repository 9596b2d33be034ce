import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-EDJMG2Q5.js";import"./chunk-NFZGLQRI.js";import"./chunk-CFOOYO3T.js";import"./chunk-OGTJRUGL.js";import"./chunk-DWU7ZWBK.js";export{a as MAX_SHOWN,b as currentStatus,c as runTargetCommand};
