-- Field positions (1-based byte offset, width) of the fixed-width request, and result codes.
return {
  REQUEST_LENGTH = 68,
  REQUEST = {
    patient = { 1, 10 },
    insurer = { 11, 8 },
    symbol = { 19, 20 },
    number = { 39, 20 },
    branch = { 59, 2 },
    birth = { 61, 8 },
  },
  STATUS = { valid = "01", lapsed = "02", not_found = "03", multiple = "04", queued = "08", error = "09" },
  SOURCE = { live = "L", cache = "C" },
}
