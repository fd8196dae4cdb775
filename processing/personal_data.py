from datamap import exempt

exempt(
    "processing.ProcessingActivity",
    "Describes processing in general terms (purposes, bases, measures); names no person.",
)
exempt(
    "processing.Processor",
    "Names service providers (companies), their region and safeguards; no person.",
)
