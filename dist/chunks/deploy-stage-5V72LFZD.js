import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{b as R}from"./chunk-T6YFQKPB.js";import{b as x}from"./chunk-NFZGLQRI.js";import{b as u}from"./chunk-E7U4VLNU.js";import{a as b,b as $}from"./chunk-KJ672EK3.js";import"./chunk-DWU7ZWBK.js";import{mkdirSync as N,writeFileSync as A}from"node:fs";import{join as S}from"node:path";async function j(e,s,a,l,r,i=3e4){let d={retired:[],failed:[]},m=s.config.app.name;if(!m||e.replacesPreviousRun)return d;let f=await e.find({app:m,...s.preview!==void 0?{preview:s.preview}:{}});for(let c of f){if(c.submissionId===a.submissionId)continue;let n=await R(e,c,l,i);if(!(!n||n.terminal))try{await e.cancel(c),d.retired.push(c.submissionId),r(`replaced: cancelled ${c.submissionId} (${n.nativeState}), the previous run of ${m}`)}catch(h){d.failed.push(`${c.submissionId}: ${$(h)}`)}}return d}function U(e,s,a,l){let r=`spark-deploy-${[s.environment,a].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,i=c=>l.map(n=>`# ${n.kind}
${n.text.replace(/\n*$/,`
`)}`).join(c),d=l.length===1?l[0]?.text:void 0,[m,f]=a==="kubernetes"?[S(e,`${r}.yaml`),i(`---
`)]:d!==void 0&&H(d)?[S(e,`${r}.json`),`${d.replace(/\n*$/,"")}
`]:[S(e,`${r}.txt`),i(`
`)];return N(e,{recursive:!0}),A(m,f),m}function H(e){try{return JSON.parse(e),!0}catch{return!1}}function E(e){let a=[["Spark UI",e.sparkUi],["Console",e.console],["Driver logs",e.logs],["History",e.history]].filter(([,l])=>l).map(([l,r])=>`| ${l} | ${r} |`);return e.portForward&&a.push(`| Port-forward | \`${e.portForward}\` |`),a.length?["| link | |","| --- | --- |",...a].join(`
`):""}function k(e){return`${e.phase} (${e.nativeState||"no state yet"})${e.message?`: ${e.message.split(`
`)[0]}`:""}`}async function B(e,s){let{plan:a,artifact:l,target:r}=e;if(s.output(u.target,r.name),a.dryRun||a.command==="render"){let t=await r.render(a,l);for(let o of t)e.log(`${a.command==="render"?"render":"dry run"}: ${o.kind}
${o.text}`);if(e.renderDir){let o=U(e.renderDir,a,r.name,t);s.output(u.manifestPath,o),e.log(`rendered to ${o}`)}return s.section("Dry run",t.map(o=>`<details><summary>${o.kind}</summary>

\`\`\`
${o.text}
\`\`\`

</details>`).join(`
`)),{detail:`${a.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let i=await r.submit(a,l,e.signal);e.saveHandle(i),s.output(u.submissionId,i.submissionId),e.log(`submitted: ${i.submissionId}`);let d=t=>{let o=r.links(i,t);o.sparkUi&&s.output(u.sparkUiUrl,o.sparkUi);let p=t?.applicationId??i.applicationId;p&&s.output(u.applicationId,p),t&&s.output(u.state,t.phase);let y=[`| target | ${r.name} |`,`| submission | \`${i.submissionId}\` |`,...p?[`| application | \`${p}\` |`]:[],...t?[`| state | ${t.phase} (native: ${t.nativeState||"\u2014"}) |`]:[],...t?.message?[`| message | ${x(t.message.split(`
`)[0]??"")} |`]:[]];return s.section("Deployment",["| | |","| --- | --- |",...y,"",E(o)].join(`
`)),s.deployment?.({links:o,...t?{status:t}:{}}),o};if(!a.wait){let t=d(void 0);return e.markFinished(),{handle:i,links:t,detail:`submitted ${i.submissionId} (not waiting)`}}let m=AbortSignal.timeout(a.timeoutMs),f=AbortSignal.any([e.signal,m]),c=Date.now(),n,h=!1,v="";try{for await(let t of r.watch(i,f))(!n||n.phase!==t.phase||n.nativeState!==t.nativeState)&&e.log(`state: ${k(t)}`),n=t,t.applicationId&&(i.applicationId=t.applicationId)}catch(t){if(h=m.aborted||Date.now()-c>=a.timeoutMs-1e3,!f.aborted&&!h)throw t;!e.signal.aborted&&t instanceof b&&(v=t.message)}if(f.aborted||h){let t=e.signal.aborted?"the workflow run was cancelled":`timed out after ${+(a.timeoutMs/6e4).toFixed(2)} min`,o="";if(a.cancelOnAbort)try{await r.cancel(i),o=`; cancelled ${i.submissionId} (cancel-on-abort)`}catch(y){o=`; cancelling ${i.submissionId} failed: ${$(y)}`}else o=`; ${i.submissionId} is left running (cancel-on-abort is false)`;e.markFinished();let p=d(n);throw s.deployment?.({links:p,...n?{status:n}:{},timedOut:!e.signal.aborted}),s.output(u.state,e.signal.aborted?"CANCELLED":n?.phase??"UNKNOWN"),new b(`deploy: ${t} while ${i.submissionId} was ${n?k(n):"not yet observed"}${o}${v?`
${v}`:""}`)}e.markFinished();let w=d(n),I=a.config.app.mode==="streaming"&&n?.phase==="RUNNING";if(n?.phase==="SUCCEEDED"||I){let t="";if(I)try{let{retired:o,failed:p}=await j(r,a,i,e.signal,e.log);o.length&&(t=`; replaced ${o.join(", ")}`);for(let y of p)e.warn?.(`deploy: could not cancel the previous run ${y}`)}catch(o){e.warn?.(`deploy: could not look for the previous run to replace: ${$(o)}`)}return{handle:i,...n?{status:n}:{},links:w,detail:I?`healthy: RUNNING for ${a.config.app.healthyAfter} s${t}`:`${n?.nativeState??""}`}}let g;try{g=await r.logTail?.(i,50)}catch(t){g=`(could not fetch the driver log: ${$(t)})`}i.applicationId&&s.output(u.applicationId,i.applicationId),g&&(s.deployment?.({links:w,...n?{status:n}:{},logExcerpt:{title:"Driver log (last 50 lines)",text:g}}),s.section("Driver log (last 50 lines)",`<details open><summary>stderr</summary>

\`\`\`text
${g}
\`\`\`

</details>`));let P=w.logs?`
Driver log: ${w.logs}`:"",D=n?.message?.split(`
`).slice(1).join(`
`);throw new b(`deploy: ${i.submissionId} ended ${n?k(n):"without a state"}${D?`
${D}`:""}${P}${g?`
--- driver stderr (last lines) ---
${g}`:""}`)}export{B as runDeployStage,U as writeRendered};
