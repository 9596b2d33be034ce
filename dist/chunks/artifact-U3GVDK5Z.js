import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{a}from"./chunk-RUONQ5MV.js";import"./chunk-L4CBFYZ3.js";import"./chunk-6JX6SOOA.js";import"./chunk-CFOOYO3T.js";import"./chunk-64VFW4XI.js";import"./chunk-DWU7ZWBK.js";export{a as artifactOf};
