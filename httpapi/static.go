package httpapi

import (
	"io/fs"
	"net/http"
)

// filesOnly serves the files of a file system and no folder: a folder
// answers 404 instead of a listing of what is in it.
type filesOnly struct{ fs http.FileSystem }

// Open opens name unless it is a folder.
func (f filesOnly) Open(name string) (http.File, error) {
	file, err := f.fs.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := file.Stat(); err != nil || st.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}
