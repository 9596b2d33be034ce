import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-NE6FPYVZ.js";import"./chunk-PPHUKA3D.js";import"./chunk-KFGBDSV6.js";import"./chunk-6MQSUJQH.js";import"./chunk-67BG23Y2.js";export{a as MAX_SHOWN,b as currentStatus,c as runTargetCommand};
