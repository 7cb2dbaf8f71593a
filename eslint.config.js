import config from "@burnrate/eslint-config";

export default config;
