import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{g as a,h as b}from"./chunk-JVTXEEUZ.js";import"./chunk-6JX6SOOA.js";import"./chunk-KJ672EK3.js";import"./chunk-DWU7ZWBK.js";export{a as FALLBACK_JAR_GLOBS,b as discoverJar};
