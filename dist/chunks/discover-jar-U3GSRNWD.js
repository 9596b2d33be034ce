import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b as a,c as b}from"./chunk-3WTTT3J7.js";import"./chunk-6MQSUJQH.js";import"./chunk-67BG23Y2.js";export{a as DEFAULT_JAR_GLOB,b as discoverJar};
