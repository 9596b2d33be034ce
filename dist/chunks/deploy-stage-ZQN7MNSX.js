import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{b as N}from"./chunk-T6YFQKPB.js";import{a as j,b as L}from"./chunk-KIM3NHUU.js";import{b as R}from"./chunk-NFZGLQRI.js";import{b as m}from"./chunk-E7U4VLNU.js";import{a as b,b as $}from"./chunk-KJ672EK3.js";import"./chunk-DWU7ZWBK.js";import{mkdirSync as H,writeFileSync as F}from"node:fs";import{join as k}from"node:path";async function A(e,i,o,l,a,n=3e4){let d={retired:[],failed:[]},u=i.config.app.name;if(!u||e.replacesPreviousRun)return d;let g=await e.find({app:u,...i.preview!==void 0?{preview:i.preview}:{}});for(let c of g){if(c.submissionId===o.submissionId)continue;let s=await N(e,c,l,n);if(!(!s||s.terminal))try{await e.cancel(c),d.retired.push(c.submissionId),a(`replaced: cancelled ${c.submissionId} (${s.nativeState}), the previous run of ${u}`)}catch(h){d.failed.push(`${c.submissionId}: ${$(h)}`)}}return d}var C=500,x=50;function U(e,i,o,l){let a=`spark-deploy-${[i.environment,o].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,n=c=>l.map(s=>`# ${s.kind}
${s.text.replace(/\n*$/,`
`)}`).join(c),d=l.length===1?l[0]?.text:void 0,[u,g]=o==="kubernetes"?[k(e,`${a}.yaml`),n(`---
`)]:d!==void 0&&O(d)?[k(e,`${a}.json`),`${d.replace(/\n*$/,"")}
`]:[k(e,`${a}.txt`),n(`
`)];return H(e,{recursive:!0}),F(u,g),u}function O(e){try{return JSON.parse(e),!0}catch{return!1}}function T(e){let o=[["Spark UI",e.sparkUi],["Console",e.console],["Driver logs",e.logs],["History",e.history]].filter(([,l])=>l).map(([l,a])=>`| ${l} | ${a} |`);return e.portForward&&o.push(`| Port-forward | \`${e.portForward}\` |`),o.length?["| link | |","| --- | --- |",...o].join(`
`):""}function P(e){return`${e.phase} (${e.nativeState||"no state yet"})${e.message?`: ${e.message.split(`
`)[0]}`:""}`}async function V(e,i){let{plan:o,artifact:l,target:a}=e;if(i.output(m.target,a.name),o.dryRun||o.command==="render"){let t=await a.render(o,l);for(let r of t)e.log(`${o.command==="render"?"render":"dry run"}: ${r.kind}
${r.text}`);if(e.renderDir){let r=U(e.renderDir,o,a.name,t);i.output(m.manifestPath,r),e.log(`rendered to ${r}`)}return i.section("Dry run",t.map(r=>`<details><summary>${r.kind}</summary>

\`\`\`
${r.text}
\`\`\`

</details>`).join(`
`)),{detail:`${o.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let n=await a.submit(o,l,e.signal);e.saveHandle(n),i.output(m.submissionId,n.submissionId),e.log(`submitted: ${n.submissionId}`);let d=t=>{let r=a.links(n,t);r.sparkUi&&i.output(m.sparkUiUrl,r.sparkUi);let f=t?.applicationId??n.applicationId;f&&i.output(m.applicationId,f),t&&i.output(m.state,t.phase);let y=[`| target | ${a.name} |`,`| submission | \`${n.submissionId}\` |`,...f?[`| application | \`${f}\` |`]:[],...t?[`| state | ${t.phase} (native: ${t.nativeState||"\u2014"}) |`]:[],...t?.message?[`| message | ${R(t.message.split(`
`)[0]??"")} |`]:[]];return i.section("Deployment",["| | |","| --- | --- |",...y,"",T(r)].join(`
`)),i.deployment?.({links:r,...t?{status:t}:{}}),r};if(!o.wait){let t=d(void 0);return e.markFinished(),{handle:n,links:t,detail:`submitted ${n.submissionId} (not waiting)`}}let u=AbortSignal.timeout(o.timeoutMs),g=AbortSignal.any([e.signal,u]),c=Date.now(),s,h=!1,v="";try{for await(let t of a.watch(n,g))(!s||s.phase!==t.phase||s.nativeState!==t.nativeState)&&e.log(`state: ${P(t)}`),s=t,t.applicationId&&(n.applicationId=t.applicationId)}catch(t){if(h=u.aborted||Date.now()-c>=o.timeoutMs-1e3,!g.aborted&&!h)throw t;!e.signal.aborted&&t instanceof b&&(v=t.message)}if(g.aborted||h){let t=e.signal.aborted?"the workflow run was cancelled":`timed out after ${+(o.timeoutMs/6e4).toFixed(2)} min`,r="";if(o.cancelOnAbort)try{await a.cancel(n),r=`; cancelled ${n.submissionId} (cancel-on-abort)`}catch(y){r=`; cancelling ${n.submissionId} failed: ${$(y)}`}else r=`; ${n.submissionId} is left running (cancel-on-abort is false)`;e.markFinished();let f=d(s);throw i.deployment?.({links:f,...s?{status:s}:{},timedOut:!e.signal.aborted}),i.output(m.state,e.signal.aborted?"CANCELLED":s?.phase??"UNKNOWN"),new b(`deploy: ${t} while ${n.submissionId} was ${s?P(s):"not yet observed"}${r}${v?`
${v}`:""}`)}e.markFinished();let S=d(s),I=o.config.app.mode==="streaming"&&s?.phase==="RUNNING";if(s?.phase==="SUCCEEDED"||I){let t="";if(I)try{let{retired:r,failed:f}=await A(a,o,n,e.signal,e.log);r.length&&(t=`; replaced ${r.join(", ")}`);for(let y of f)e.warn?.(`deploy: could not cancel the previous run ${y}`)}catch(r){e.warn?.(`deploy: could not look for the previous run to replace: ${$(r)}`)}return{handle:n,...s?{status:s}:{},links:S,detail:I?`healthy: RUNNING for ${o.config.app.healthyAfter} s${t}`:`${s?.nativeState??""}`}}let p;try{p=await a.logTail?.(n,C)}catch(t){p=`(could not fetch the driver log: ${$(t)})`}let w=p?.split(`
`).slice(-x).join(`
`),D=p?j(p,"driver stderr"):void 0;n.applicationId&&i.output(m.applicationId,n.applicationId),i.deployment?.({links:S,...s?{status:s}:{},...w?{logExcerpt:{title:`Driver log (last ${x} lines)`,text:w}}:{},...D?{rootCause:D}:{}}),w&&i.section(`Driver log (last ${x} lines)`,`<details open><summary>stderr</summary>

\`\`\`text
${w}
\`\`\`

</details>`);let E=p?/^\(.*\)$/.test(p.trim())?p.trim():void 0:"The driver's stderr could not be read.";throw new b(_(n,s,S,D,E))}function _(e,i,o,l,a){let n=[`deploy: ${e.submissionId} ended ${i?`${i.phase} (${i.nativeState||"no state yet"})`:"without a state"}: ${l?L(l):i?.message?.split(`
`)[0]??"no reason given"}`];return l?.hint&&n.push(`Fix: ${l.hint}`),l&&i?.message&&n.push(`${i.nativeState}: ${i.message.split(`
`)[0]}`),n.push(...i?.message?.split(`
`).slice(1,6)??[]),l||n.push(a??`No exception in the last ${C} lines of the driver's stderr (its tail is in the job summary).`),o.logs?n.push(`Driver log: ${o.logs}`):o.console&&n.push(`Console: ${o.console}`),n.join(`
`)}export{_ as failureText,V as runDeployStage,U as writeRendered};
