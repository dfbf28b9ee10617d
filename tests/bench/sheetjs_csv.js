// The SheetJS peer of `formpipe read`: the first sheet as CSV.
//
// usage: NODE_PATH=build/bench/node_modules node sheetjs_csv.js FILE.xlsx
// SheetJS (npm package xlsx) reads the whole workbook, then writes its
// first sheet with sheet_to_csv.
const XLSX = require("xlsx");

const wb = XLSX.readFile(process.argv[2], { dense: true });
process.stdout.write(XLSX.utils.sheet_to_csv(wb.Sheets[wb.SheetNames[0]]));
