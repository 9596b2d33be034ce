import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{g as a,h as b}from"./chunk-UVIULJ6T.js";import"./chunk-L4CBFYZ3.js";import"./chunk-6JX6SOOA.js";import"./chunk-5H2X5USR.js";import"./chunk-DWU7ZWBK.js";export{a as FALLBACK_JAR_GLOBS,b as discoverJar};
