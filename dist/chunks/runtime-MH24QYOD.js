import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-MW565ZO6.js";import"./chunk-DWU7ZWBK.js";export{a as DEFAULT_RUNTIME,c as runtimeFromPlan,b as scalaForSpark};
