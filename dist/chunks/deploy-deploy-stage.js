var D=Object.defineProperty;var M=Object.getOwnPropertyDescriptor;var R=Object.getOwnPropertyNames;var P=Object.prototype.hasOwnProperty;var H=(t,a)=>{for(var i in a)D(t,i,{get:a[i],enumerable:!0})},L=(t,a,i,l)=>{if(a&&typeof a=="object"||typeof a=="function")for(let o of R(a))!P.call(t,o)&&o!==i&&D(t,o,{get:()=>a[o],enumerable:!(l=M(a,o))||l.enumerable});return t};var B=t=>L(D({},"__esModule",{value:!0}),t);var _={};H(_,{runDeployStage:()=>F,writeRendered:()=>U});module.exports=B(_);var x=require("./chunk-D3A6I6AB.js"),A=require("./chunk-ZUGBVYDL.js"),O=require("./chunk-LR2HEV6U.js"),E=require("./chunk-3YRDBYRV.js"),w=require("./chunk-EPXOE4VI.js"),y=require("node:fs"),b=require("node:path"),m=(0,w.e)((0,E.a)(),1),G=(0,w.e)((0,A.a)(),1),g=(0,w.e)((0,O.a)(),1),T=(0,w.e)((0,O.a)(),1);async function J(t,a,i,l,o,r=3e4){let d={retired:[],failed:[]},p=a.config.app.name;if(!p||t.replacesPreviousRun)return d;let $=await t.find({app:p,...a.preview!==void 0?{preview:a.preview}:{}});for(let u of $){if(u.submissionId===i.submissionId)continue;let n=await(0,x.b)(t,u,l,r);if(!(!n||n.terminal))try{await t.cancel(u),d.retired.push(u.submissionId),o(`replaced: cancelled ${u.submissionId} (${n.nativeState}), the previous run of ${p}`)}catch(h){d.failed.push(`${u.submissionId}: ${(0,T.errorMessage)(h)}`)}}return d}function U(t,a,i,l){let o=`spark-deploy-${[a.environment,i].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,r=u=>l.map(n=>`# ${n.kind}
${n.text.replace(/\n*$/,`
`)}`).join(u),d=l.length===1?l[0]?.text:void 0,[p,$]=i==="kubernetes"?[(0,b.join)(t,`${o}.yaml`),r(`---
`)]:d!==void 0&&K(d)?[(0,b.join)(t,`${o}.json`),`${d.replace(/\n*$/,"")}
`]:[(0,b.join)(t,`${o}.txt`),r(`
`)];return(0,y.mkdirSync)(t,{recursive:!0}),(0,y.writeFileSync)(p,$),p}function K(t){try{return JSON.parse(t),!0}catch{return!1}}function W(t){let a=[["Spark UI",t.sparkUi],["Console",t.console],["Driver logs",t.logs],["History",t.history]].filter(([,i])=>i).map(([i,l])=>`| ${i} | ${l} |`);return t.portForward&&a.push(`| Port-forward | \`${t.portForward}\` |`),a.length?["| link | |","| --- | --- |",...a].join(`
`):""}function N(t){return`${t.phase} (${t.nativeState||"no state yet"})${t.message?`: ${t.message.split(`
`)[0]}`:""}`}async function F(t,a){let{plan:i,artifact:l,target:o}=t;if(a.output(m.Output.target,o.name),i.dryRun||i.command==="render"){let e=await o.render(i,l);for(let s of e)t.log(`${i.command==="render"?"render":"dry run"}: ${s.kind}
${s.text}`);if(t.renderDir){let s=U(t.renderDir,i,o.name,e);a.output(m.Output.manifestPath,s),t.log(`rendered to ${s}`)}return a.section("Dry run",e.map(s=>`<details><summary>${s.kind}</summary>

\`\`\`
${s.text}
\`\`\`

</details>`).join(`
`)),{detail:`${i.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let r=await o.submit(i,l,t.signal);t.saveHandle(r),a.output(m.Output.submissionId,r.submissionId),t.log(`submitted: ${r.submissionId}`);let d=e=>{let s=o.links(r,e);s.sparkUi&&a.output(m.Output.sparkUiUrl,s.sparkUi);let c=e?.applicationId??r.applicationId;c&&a.output(m.Output.applicationId,c),e&&a.output(m.Output.state,e.phase);let S=[`| target | ${o.name} |`,`| submission | \`${r.submissionId}\` |`,...c?[`| application | \`${c}\` |`]:[],...e?[`| state | ${e.phase} (native: ${e.nativeState||"\u2014"}) |`]:[],...e?.message?[`| message | ${(0,G.escapeCell)(e.message.split(`
`)[0]??"")} |`]:[]];return a.section("Deployment",["| | |","| --- | --- |",...S,"",W(s)].join(`
`)),s};if(!i.wait){let e=d(void 0);return t.markFinished(),{handle:r,links:e,detail:`submitted ${r.submissionId} (not waiting)`}}let p=AbortSignal.timeout(i.timeoutMs),$=AbortSignal.any([t.signal,p]),u=Date.now(),n,h=!1,v="";try{for await(let e of o.watch(r,$))(!n||n.phase!==e.phase||n.nativeState!==e.nativeState)&&t.log(`state: ${N(e)}`),n=e,e.applicationId&&(r.applicationId=e.applicationId)}catch(e){if(h=p.aborted||Date.now()-u>=i.timeoutMs-1e3,!$.aborted&&!h)throw e;!t.signal.aborted&&e instanceof g.ActionError&&(v=e.message)}if($.aborted||h){let e=t.signal.aborted?"the workflow run was cancelled":`timed out after ${+(i.timeoutMs/6e4).toFixed(2)} min`,s="";if(i.cancelOnAbort)try{await o.cancel(r),s=`; cancelled ${r.submissionId} (cancel-on-abort)`}catch(c){s=`; cancelling ${r.submissionId} failed: ${(0,g.errorMessage)(c)}`}else s=`; ${r.submissionId} is left running (cancel-on-abort is false)`;throw t.markFinished(),d(n),a.output(m.Output.state,t.signal.aborted?"CANCELLED":n?.phase??"UNKNOWN"),new g.ActionError(`deploy: ${e} while ${r.submissionId} was ${n?N(n):"not yet observed"}${s}${v?`
${v}`:""}`)}t.markFinished();let I=d(n),k=i.config.app.mode==="streaming"&&n?.phase==="RUNNING";if(n?.phase==="SUCCEEDED"||k){let e="";if(k)try{let{retired:s,failed:c}=await J(o,i,r,t.signal,t.log);s.length&&(e=`; replaced ${s.join(", ")}`);for(let S of c)t.warn?.(`deploy: could not cancel the previous run ${S}`)}catch(s){t.warn?.(`deploy: could not look for the previous run to replace: ${(0,g.errorMessage)(s)}`)}return{handle:r,...n?{status:n}:{},links:I,detail:k?`healthy: RUNNING for ${i.config.app.healthyAfter} s${e}`:`${n?.nativeState??""}`}}let f;try{f=await o.logTail?.(r,50)}catch(e){f=`(could not fetch the driver log: ${(0,g.errorMessage)(e)})`}r.applicationId&&a.output(m.Output.applicationId,r.applicationId),f&&a.section("Driver log (last 50 lines)",`<details open><summary>stderr</summary>

\`\`\`text
${f}
\`\`\`

</details>`);let C=I.logs?`
Driver log: ${I.logs}`:"",j=n?.message?.split(`
`).slice(1).join(`
`);throw new g.ActionError(`deploy: ${r.submissionId} ended ${n?N(n):"without a state"}${j?`
${j}`:""}${C}${f?`
--- driver stderr (last lines) ---
${f}`:""}`)}0&&(module.exports={runDeployStage,writeRendered});
