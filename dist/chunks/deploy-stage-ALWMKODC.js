var S=Object.defineProperty;var R=Object.getOwnPropertyDescriptor;var C=Object.getOwnPropertyNames;var E=Object.prototype.hasOwnProperty;var P=(t,i)=>{for(var a in i)S(t,a,{get:i[a],enumerable:!0})},H=(t,i,a,l)=>{if(i&&typeof i=="object"||typeof i=="function")for(let o of C(i))!E.call(t,o)&&o!==a&&S(t,o,{get:()=>i[o],enumerable:!(l=R(i,o))||l.enumerable});return t};var M=t=>H(S({},"__esModule",{value:!0}),t);var L={};P(L,{runDeployStage:()=>F,writeRendered:()=>N});module.exports=M(L);var j=require("./chunk-QTA4FJUH.js"),x=require("./chunk-WS4OSOEW.js"),c=require("./chunk-5AJ2KG6V.js"),m=require("./chunk-JJ3PA7JQ.js"),K=require("./chunk-EPXOE4VI.js"),w=require("node:fs"),b=require("node:path");async function O(t,i,a,l,o,n=3e4){let d={retired:[],failed:[]},u=i.config.app.name;if(!u||t.replacesPreviousRun)return d;let f=await t.find({app:u,...i.preview!==void 0?{preview:i.preview}:{}});for(let p of f){if(p.submissionId===a.submissionId)continue;let r=await(0,j.b)(t,p,l,n);if(!(!r||r.terminal))try{await t.cancel(p),d.retired.push(p.submissionId),o(`replaced: cancelled ${p.submissionId} (${r.nativeState}), the previous run of ${u}`)}catch(g){d.failed.push(`${p.submissionId}: ${(0,m.b)(g)}`)}}return d}function N(t,i,a,l){let o=`spark-deploy-${[i.environment,a].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,n=p=>l.map(r=>`# ${r.kind}
${r.text.replace(/\n*$/,`
`)}`).join(p),d=l.length===1?l[0]?.text:void 0,[u,f]=a==="kubernetes"?[(0,b.join)(t,`${o}.yaml`),n(`---
`)]:d!==void 0&&B(d)?[(0,b.join)(t,`${o}.json`),`${d.replace(/\n*$/,"")}
`]:[(0,b.join)(t,`${o}.txt`),n(`
`)];return(0,w.mkdirSync)(t,{recursive:!0}),(0,w.writeFileSync)(u,f),u}function B(t){try{return JSON.parse(t),!0}catch{return!1}}function G(t){let i=[["Spark UI",t.sparkUi],["Console",t.console],["Driver logs",t.logs],["History",t.history]].filter(([,a])=>a).map(([a,l])=>`| ${a} | ${l} |`);return t.portForward&&i.push(`| Port-forward | \`${t.portForward}\` |`),i.length?["| link | |","| --- | --- |",...i].join(`
`):""}function D(t){return`${t.phase} (${t.nativeState||"no state yet"})${t.message?`: ${t.message.split(`
`)[0]}`:""}`}async function F(t,i){let{plan:a,artifact:l,target:o}=t;if(i.output(c.b.target,o.name),a.dryRun||a.command==="render"){let e=await o.render(a,l);for(let s of e)t.log(`${a.command==="render"?"render":"dry run"}: ${s.kind}
${s.text}`);if(t.renderDir){let s=N(t.renderDir,a,o.name,e);i.output(c.b.manifestPath,s),t.log(`rendered to ${s}`)}return i.section("Dry run",e.map(s=>`<details><summary>${s.kind}</summary>

\`\`\`
${s.text}
\`\`\`

</details>`).join(`
`)),{detail:`${a.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let n=await o.submit(a,l,t.signal);t.saveHandle(n),i.output(c.b.submissionId,n.submissionId),t.log(`submitted: ${n.submissionId}`);let d=e=>{let s=o.links(n,e);s.sparkUi&&i.output(c.b.sparkUiUrl,s.sparkUi);let $=e?.applicationId??n.applicationId;$&&i.output(c.b.applicationId,$),e&&i.output(c.b.state,e.phase);let k=[`| target | ${o.name} |`,`| submission | \`${n.submissionId}\` |`,...$?[`| application | \`${$}\` |`]:[],...e?[`| state | ${e.phase} (native: ${e.nativeState||"\u2014"}) |`]:[],...e?.message?[`| message | ${(0,x.a)(e.message.split(`
`)[0]??"")} |`]:[]];return i.section("Deployment",["| | |","| --- | --- |",...k,"",G(s)].join(`
`)),s};if(!a.wait){let e=d(void 0);return t.markFinished(),{handle:n,links:e,detail:`submitted ${n.submissionId} (not waiting)`}}let u=AbortSignal.timeout(a.timeoutMs),f=AbortSignal.any([t.signal,u]),p=Date.now(),r,g=!1,y="";try{for await(let e of o.watch(n,f))(!r||r.phase!==e.phase||r.nativeState!==e.nativeState)&&t.log(`state: ${D(e)}`),r=e,e.applicationId&&(n.applicationId=e.applicationId)}catch(e){if(g=u.aborted||Date.now()-p>=a.timeoutMs-1e3,!f.aborted&&!g)throw e;!t.signal.aborted&&e instanceof m.a&&(y=e.message)}if(f.aborted||g){let e=t.signal.aborted?"the workflow run was cancelled":`timed out after ${+(a.timeoutMs/6e4).toFixed(2)} min`,s="";if(a.cancelOnAbort)try{await o.cancel(n),s=`; cancelled ${n.submissionId} (cancel-on-abort)`}catch($){s=`; cancelling ${n.submissionId} failed: ${(0,m.b)($)}`}else s=`; ${n.submissionId} is left running (cancel-on-abort is false)`;throw t.markFinished(),d(r),i.output(c.b.state,t.signal.aborted?"CANCELLED":r?.phase??"UNKNOWN"),new m.a(`deploy: ${e} while ${n.submissionId} was ${r?D(r):"not yet observed"}${s}${y?`
${y}`:""}`)}t.markFinished();let I=d(r),v=a.config.app.mode==="streaming"&&r?.phase==="RUNNING";if(r?.phase==="SUCCEEDED"||v){let e="";if(v)try{let{retired:s,failed:$}=await O(o,a,n,t.signal,t.log);s.length&&(e=`; replaced ${s.join(", ")}`);for(let k of $)t.warn?.(`deploy: could not cancel the previous run ${k}`)}catch(s){t.warn?.(`deploy: could not look for the previous run to replace: ${(0,m.b)(s)}`)}return{handle:n,...r?{status:r}:{},links:I,detail:v?`healthy: RUNNING for ${a.config.app.healthyAfter} s${e}`:`${r?.nativeState??""}`}}let h;try{h=await o.logTail?.(n,50)}catch(e){h=`(could not fetch the driver log: ${(0,m.b)(e)})`}n.applicationId&&i.output(c.b.applicationId,n.applicationId),h&&i.section("Driver log (last 50 lines)",`<details open><summary>stderr</summary>

\`\`\`text
${h}
\`\`\`

</details>`);let A=I.logs?`
Driver log: ${I.logs}`:"",U=r?.message?.split(`
`).slice(1).join(`
`);throw new m.a(`deploy: ${n.submissionId} ended ${r?D(r):"without a state"}${U?`
${U}`:""}${A}${h?`
--- driver stderr (last lines) ---
${h}`:""}`)}0&&(module.exports={runDeployStage,writeRendered});
