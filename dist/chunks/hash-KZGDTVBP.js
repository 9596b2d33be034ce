import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{a}from"./chunk-T5M7MSRF.js";import"./chunk-DWU7ZWBK.js";export{a as sha256File};
