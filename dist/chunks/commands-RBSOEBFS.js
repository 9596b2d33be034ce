import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-MN37WDXJ.js";import"./chunk-NFZGLQRI.js";import"./chunk-CFOOYO3T.js";import"./chunk-5H2X5USR.js";import"./chunk-DWU7ZWBK.js";export{a as MAX_SHOWN,b as currentStatus,c as runTargetCommand};
