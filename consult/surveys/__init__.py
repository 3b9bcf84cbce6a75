"""Health surveys: builder, answering (web, paper), results with disclosure control, exports."""
