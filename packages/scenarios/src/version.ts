/** optex's version (the packages' package.json "version"; a test keeps them equal). */
export const OPTEX_VERSION = "0.1.0";
