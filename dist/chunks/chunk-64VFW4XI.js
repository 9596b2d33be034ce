import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{createHash as s}from"node:crypto";import{createReadStream as i}from"node:fs";async function c(a,r){let t=s("sha256"),e=i(a,{highWaterMark:4*1024*1024,...r?{signal:r}:{}});for await(let o of e)t.update(o);return t.digest("hex")}export{c as a};
