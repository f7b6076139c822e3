import { start, START_USAGE } from "./start.js";

const USAGE = `Usage: sluice <command> [options]

Commands:
  start    run the broker (SQS and SNS wire protocols)

${START_USAGE}`;

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case "start":
    await start(rest);
    break;
  case undefined:
  case "help":
  case "--help":
  case "-h":
    process.stdout.write(`${USAGE}\n`);
    break;
  default:
    process.stderr.write(`sluice: unknown command '${command}'\n${USAGE}\n`);
    process.exit(1);
}
