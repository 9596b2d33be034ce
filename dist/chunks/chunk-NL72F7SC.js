import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
function r(e){return e.some(n=>n.severity==="error")}function i(e){return`${e.file?`${e.file}${e.line?`:${e.line}`:""}${e.line&&e.column?`:${e.column}`:""}: `:""}${e.title}${e.message?` \u2014 ${e.message}`:""}`}export{r as a,i as b};
