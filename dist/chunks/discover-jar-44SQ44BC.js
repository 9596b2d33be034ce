import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{b as a,c as b}from"./chunk-YJDPA6CO.js";import"./chunk-KJ672EK3.js";import"./chunk-DWU7ZWBK.js";export{a as DEFAULT_JAR_GLOB,b as discoverJar};
