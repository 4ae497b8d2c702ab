// How the function is packaged: the zip that build.py writes, except under `sls offline`.
//
// serverless-offline unpacks a package.artifact into a folder of its own and then cannot import
// a Python handler from there; without one it imports the handler from this folder, where
// serverless_handler.py puts ../src first on the path. Every other command (deploy, package,
// print) gets the artifact.
"use strict"

const ARTIFACT = "../.serverless/aws/function.zip"

module.exports = () => (process.argv.slice(2).includes("offline") ? {} : { artifact: ARTIFACT })
