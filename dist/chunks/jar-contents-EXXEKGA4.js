import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{a}from"./chunk-CPK4MCI5.js";import"./chunk-6JX6SOOA.js";import"./chunk-DWU7ZWBK.js";export{a as readJarMainFacts};
