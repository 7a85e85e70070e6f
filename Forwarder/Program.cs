// Composition only; the parts live in Discovery/, Tailing/, Parsing/, Enrichment/ and Shipping/.
return 0;
