import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{a as L,b as k}from"./chunk-363HGHYE.js";import{b as j}from"./chunk-T6YFQKPB.js";import{b as N}from"./chunk-NFZGLQRI.js";import{b as p}from"./chunk-E7U4VLNU.js";import{a as v,b as $}from"./chunk-KJ672EK3.js";import"./chunk-DWU7ZWBK.js";import{mkdirSync as H,writeFileSync as F}from"node:fs";import{join as x}from"node:path";async function A(e,i,o,a,l,t=3e4){let d={retired:[],failed:[]},u=i.config.app.name;if(!u||e.replacesPreviousRun)return d;let g=await e.find({app:u,...i.preview!==void 0?{preview:i.preview}:{}});for(let c of g){if(c.submissionId===o.submissionId)continue;let s=await j(e,c,a,t);if(!(!s||s.terminal))try{await e.cancel(c),d.retired.push(c.submissionId),l(`replaced: cancelled ${c.submissionId} (${s.nativeState}), the previous run of ${u}`)}catch(h){d.failed.push(`${c.submissionId}: ${$(h)}`)}}return d}var C=500,R=50;function U(e,i,o,a){let l=`spark-deploy-${[i.environment,o].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,t=c=>a.map(s=>`# ${s.kind}
${s.text.replace(/\n*$/,`
`)}`).join(c),d=a.length===1?a[0]?.text:void 0,[u,g]=o==="kubernetes"?[x(e,`${l}.yaml`),t(`---
`)]:d!==void 0&&O(d)?[x(e,`${l}.json`),`${d.replace(/\n*$/,"")}
`]:[x(e,`${l}.txt`),t(`
`)];return H(e,{recursive:!0}),F(u,g),u}function O(e){try{return JSON.parse(e),!0}catch{return!1}}function T(e){let o=[["Spark UI",e.sparkUi],["Console",e.console],["Driver logs",e.logs],["History",e.history]].filter(([,a])=>a).map(([a,l])=>`| ${a} | ${l} |`);return e.portForward&&o.push(`| Port-forward | \`${e.portForward}\` |`),o.length?["| link | |","| --- | --- |",...o].join(`
`):""}function P(e){return`${e.phase} (${e.nativeState||"no state yet"})${e.message?`: ${e.message.split(`
`)[0]}`:""}`}async function V(e,i){let{plan:o,artifact:a,target:l}=e;if(i.output(p.target,l.name),o.dryRun||o.command==="render"){let n=await l.render(o,a);for(let r of n)e.log(`${o.command==="render"?"render":"dry run"}: ${r.kind}
${r.text}`);if(e.renderDir){let r=U(e.renderDir,o,l.name,n);i.output(p.manifestPath,r),e.log(`rendered to ${r}`)}return i.section("Dry run",n.map(r=>`<details><summary>${r.kind}</summary>

\`\`\`
${r.text}
\`\`\`

</details>`).join(`
`)),{detail:`${o.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let t=await l.submit(o,a,e.signal);e.saveHandle(t),i.output(p.submissionId,t.submissionId),e.log(`submitted: ${t.submissionId}`);let d=n=>{let r=l.links(t,n);r.sparkUi&&i.output(p.sparkUiUrl,r.sparkUi);let f=n?.applicationId??t.applicationId;f&&i.output(p.applicationId,f),n&&i.output(p.state,n.phase);let y=[`| target | ${l.name} |`,`| submission | \`${t.submissionId}\` |`,...f?[`| application | \`${f}\` |`]:[],...n?[`| state | ${n.phase} (native: ${n.nativeState||"\u2014"}) |`]:[],...n?.message?[`| message | ${N(n.message.split(`
`)[0]??"")} |`]:[]];return i.section("Deployment",["| | |","| --- | --- |",...y,"",T(r)].join(`
`)),i.deployment?.({links:r,...n?{status:n}:{}}),r};if(!o.wait){let n=d(void 0);return e.markFinished(),{handle:t,links:n,detail:`submitted ${t.submissionId} (not waiting)`}}let u=AbortSignal.timeout(o.timeoutMs),g=AbortSignal.any([e.signal,u]),c=Date.now(),s,h=!1,S="";try{for await(let n of l.watch(t,g))(!s||s.phase!==n.phase||s.nativeState!==n.nativeState)&&e.log(`state: ${P(n)}`),s=n,n.applicationId&&(t.applicationId=n.applicationId)}catch(n){if(h=u.aborted||Date.now()-c>=o.timeoutMs-1e3,!g.aborted&&!h)throw n;!e.signal.aborted&&n instanceof v&&(S=n.message)}if(g.aborted||h){let n=e.signal.aborted?"the workflow run was cancelled":`timed out after ${+(o.timeoutMs/6e4).toFixed(2)} min`,r="";if(o.cancelOnAbort)try{await l.cancel(t),r=`; cancelled ${t.submissionId} (cancel-on-abort)`}catch(y){r=`; cancelling ${t.submissionId} failed: ${$(y)}`}else r=`; ${t.submissionId} is left running (cancel-on-abort is false)`;e.markFinished();let f=d(s);throw i.deployment?.({links:f,...s?{status:s}:{},timedOut:!e.signal.aborted}),i.output(p.state,e.signal.aborted?"CANCELLED":s?.phase??"UNKNOWN"),new v(`deploy: ${n} while ${t.submissionId} was ${s?P(s):"not yet observed"}${r}${S?`
${S}`:""}`)}e.markFinished();let I=d(s),D=o.config.app.mode==="streaming"&&s?.phase==="RUNNING";if(s?.phase==="SUCCEEDED"||D){let n="";if(D)try{let{retired:r,failed:f}=await A(l,o,t,e.signal,e.log);r.length&&(n=`; replaced ${r.join(", ")}`);for(let y of f)e.warn?.(`deploy: could not cancel the previous run ${y}`)}catch(r){e.warn?.(`deploy: could not look for the previous run to replace: ${$(r)}`)}return{handle:t,...s?{status:s}:{},links:I,detail:D?`healthy: RUNNING for ${o.config.app.healthyAfter} s${n}`:`${s?.nativeState??""}`}}let m;try{m=await l.logTail?.(t,C)}catch(n){m=`(could not fetch the driver log: ${$(n)})`}let w=m?.split(`
`).slice(-R).join(`
`),b=m?L(m,"driver stderr"):void 0;t.applicationId&&i.output(p.applicationId,t.applicationId),i.deployment?.({links:I,...s?{status:s}:{},...w?{logExcerpt:{title:`Driver log (last ${R} lines)`,text:w}}:{},...b?{rootCause:b}:{}}),w&&i.section(`Driver log (last ${R} lines)`,`<details${b?"":" open"}><summary>stderr</summary>

\`\`\`text
${w}
\`\`\`

</details>`);let E=m?/^\(.*\)$/.test(m.trim())?m.trim():void 0:"The driver's stderr could not be read.";throw new v(_(t,s,I,b,E))}function _(e,i,o,a,l){let t=[`deploy: ${e.submissionId} ended ${i?`${i.phase} (${i.nativeState||"no state yet"})`:"without a state"}: ${i?.cause??(a?k(a):i?.message?.split(`
`)[0]??"no reason given")}`];return i?.cause&&a?t.push(`The driver log's last exception: ${k(a)}`):a?.hint&&t.push(`Fix: ${a.hint}`),!i?.cause&&a&&i?.message&&t.push(`${i.nativeState}: ${i.message.split(`
`)[0]}`),t.push(...i?.message?.split(`
`).slice(1,6)??[]),a||t.push(l??`No exception in the last ${C} lines of the driver's stderr (its tail is in the job summary).`),o.logs?t.push(`Driver log: ${o.logs}`):o.console&&t.push(`Console: ${o.console}`),t.join(`
`)}export{_ as failureText,V as runDeployStage,U as writeRendered};
